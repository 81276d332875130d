// Sampling QEMU from the host. When: the run loop samples every `slow` by default, every
// `fast` for `fast_window_s` after a marker a return is measured from (the peak_marker of an
// rss_returned or rss_returned_within assertion), so the return is timed finely (pure).
// What: the RSS (/proc/PID/status), CPU time (/proc/PID/stat) and huge pages
// (/proc/PID/smaps_rollup) of the QEMU process, each file opened once.
#pragma once

#include "assertions.h"
#include "proc_file.h"

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
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

// Parses the "VmRSS:   123456 kB" line of a /proc/PID/status text. Returns KiB, or
// nullopt if the line is missing (kernel threads, zombies) or malformed.
std::optional<long> parseVmRssKib(std::string_view status_text);

// Parses the "Anonymous:" and "AnonHugePages:" lines of a /proc/PID/smaps_rollup text,
// in KiB; nullopt if either is missing.
std::optional<std::pair<long, long>> parseAnonKib(std::string_view smaps_rollup_text);

// utime + stime, in clock ticks, from a /proc/PID/stat text (fields 14 and 15). The
// command name in parentheses may hold blanks and parentheses, so fields are counted from
// the last ')'. Returns nullopt if the text is malformed.
std::optional<long long> parseStatCpuTicks(std::string_view stat_text);

// Samples one process (QEMU) from /proc, each file opened once and re-read on every sample.
class ProcessSampler {
public:
    // Opens /proc/PID/status, stat and smaps_rollup; throws SetupError if the process does
    // not exist.
    explicit ProcessSampler(pid_t pid);

    // The resident set size in MiB, or nullopt once the process has gone.
    std::optional<double> rssMib();
    // CPU time (user + system, all threads) used so far in seconds, or nullopt once gone.
    std::optional<double> cpuSeconds();
    // How much of its anonymous memory is backed by transparent huge pages: {Anonymous,
    // AnonHugePages} in MiB, or nullopt once gone. Reading smaps_rollup walks the process's
    // page tables, so it is sampled sparingly.
    std::optional<std::pair<double, double>> thpMib();

private:
    ProcFile status_, stat_, smaps_;
    double ticks_per_s_;
};

} // namespace pr
