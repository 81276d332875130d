#include "sampling.h"

#include "overloaded.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pr {

namespace {

std::string duration(double s) {
    char buf[32];
    if (s < 1)
        std::snprintf(buf, sizeof buf, "%g ms", std::round(s * 1e6) / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

} // namespace

SamplingPlan samplingPlan(const std::vector<Assertion> &assertions) {
    SamplingPlan plan;
    auto add = [&](const std::string &event) {
        if (std::find(plan.fast_markers.begin(), plan.fast_markers.end(), event) ==
            plan.fast_markers.end())
            plan.fast_markers.push_back(event);
    };
    for (const auto &a : assertions)
        std::visit(Overloaded{
                       [&](const RssReturnedAssertion &r) { add(r.peak_marker); },
                       [&](const RssReturnedWithinAssertion &r) { add(r.peak_marker); },
                       [](const auto &) {},
                   },
                   a);
    return plan;
}

std::string samplingText(const SamplingPlan &plan) {
    std::string text = "markers stamped on arrival; RSS sampled every ";
    if (plan.fast_markers.empty())
        return text + duration(plan.slow_s);
    std::string markers;
    for (std::size_t i = 0; i < plan.fast_markers.size(); ++i)
        markers += std::string(i == 0                              ? ""
                               : i + 1 == plan.fast_markers.size() ? " or "
                                                                   : ", ") +
                   "'" + plan.fast_markers[i] + "'";
    return text + duration(plan.fast_s) + " for " + duration(plan.fast_window_s) + " after " +
           markers + ", else every " + duration(plan.slow_s);
}

SamplingSchedule::SamplingSchedule(SamplingPlan plan) : plan_(std::move(plan)) {
    periods_.push_back({0, plan_.slow_s});
}

double SamplingSchedule::periodAt(double t) const {
    return t < fast_until_ ? plan_.fast_s : plan_.slow_s;
}

void SamplingSchedule::notePeriod(double from, double period) {
    if (periods_.back().period_s != period)
        periods_.push_back({from, period});
}

void SamplingSchedule::sampled(double now) {
    if (fast_until_ >= 0 && now >= fast_until_)
        notePeriod(fast_until_, plan_.slow_s);
    const double period = periodAt(now);
    next_due_ = started_ ? next_due_ + period : now + period; // the grid starts at the first
    started_ = true;
    if (next_due_ <= now) // fell behind: skip the missed samples
        next_due_ = now + period;
}

void SamplingSchedule::marker(const std::string &event, double t) {
    if (std::find(plan_.fast_markers.begin(), plan_.fast_markers.end(), event) ==
        plan_.fast_markers.end())
        return;
    if (fast_until_ >= 0 && t >= fast_until_)
        notePeriod(fast_until_, plan_.slow_s); // the previous window ended unsampled
    notePeriod(t, plan_.fast_s);
    fast_until_ = t + plan_.fast_window_s;
    next_due_ = std::min(next_due_, t + plan_.fast_s);
}

} // namespace pr
