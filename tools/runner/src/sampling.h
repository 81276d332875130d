// When the run loop samples the host RSS of QEMU: every `slow` by default, every `fast` for
// `fast_window_s` after a marker a return is measured from (the peak_marker of an
// rss_returned or rss_returned_within assertion), so the return is timed finely. Pure.
#pragma once

#include "assertions.h"

#include <string>
#include <vector>

namespace pr {

struct SamplingPlan {
    double slow_s = 0.050;
    double fast_s = 0.005;
    double fast_window_s = 10;
    std::vector<std::string> fast_markers; // marker events that start a fast window
};

// The plan for a scenario's assertions: its return measurements' peak markers.
SamplingPlan samplingPlan(const std::vector<Assertion> &assertions);

// "markers stamped on arrival; RSS sampled every 5 ms for 10 s after 'freed', else every
// 50 ms" (the resolution of a run's timings, for summaries and the bench's method).
std::string samplingText(const SamplingPlan &plan);

// A stretch of the run sampled at one period, from `from_s` until the next one starts.
struct SamplingPeriod {
    double from_s = 0;
    double period_s = 0;
};

class SamplingSchedule {
public:
    explicit SamplingSchedule(SamplingPlan plan);

    // When the next sample is due (run seconds); the first is due at once.
    double nextDue() const { return next_due_; }
    // A sample was taken at `now`: the next is due one period after the one just due (the
    // first: after `now`; and after `now` if the loop fell behind, skipping missed ones).
    void sampled(double now);
    // A marker was read at `t`: a fast marker starts (or extends) a fast window, and the next
    // sample is due within a fast period.
    void marker(const std::string &event, double t);
    // The period in force at `t`.
    double periodAt(double t) const;
    // Every change of period so far, the first from 0.
    const std::vector<SamplingPeriod> &periods() const { return periods_; }

private:
    void notePeriod(double from, double period);

    SamplingPlan plan_;
    double next_due_ = 0;
    bool started_ = false;
    double fast_until_ = -1;
    std::vector<SamplingPeriod> periods_;
};

} // namespace pr
