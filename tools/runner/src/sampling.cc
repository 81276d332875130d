#include "sampling.h"

#include "text.h"

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace pr {

namespace {

std::string duration(double s) {
    return s < 1 ? format("%g ms", std::round(s * 1e6) / 1e3) : format("%g s", s);
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

std::optional<long> parseVmRssKib(std::string_view text) { return procKib(text, "VmRSS"); }

std::optional<std::pair<long, long>> parseAnonKib(std::string_view text) {
    auto anon = procKib(text, "Anonymous"), huge = procKib(text, "AnonHugePages");
    if (!anon || !huge)
        return std::nullopt;
    return std::pair{*anon, *huge};
}

std::optional<long long> parseStatCpuTicks(std::string_view text) {
    std::size_t close = text.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    // After "pid (comm)" come field 3 (state), 4, ...; utime and stime are 14 and 15.
    std::string_view rest = text.substr(close + 1);
    long long values[2] = {0, 0};
    int field = 2;
    std::size_t pos = 0;
    while (field < 15) {
        pos = rest.find_first_not_of(" \n", pos);
        if (pos == std::string_view::npos)
            return std::nullopt;
        std::size_t end = rest.find_first_of(" \n", pos);
        if (end == std::string_view::npos)
            end = rest.size();
        ++field;
        if (field >= 14) {
            std::string_view token = rest.substr(pos, end - pos);
            long long v = 0;
            for (char c : token) {
                if (c < '0' || c > '9')
                    return std::nullopt;
                v = v * 10 + (c - '0');
            }
            values[field - 14] = v;
        }
        pos = end;
    }
    return values[0] + values[1];
}

ProcessSampler::ProcessSampler(pid_t pid)
    : status_(pid, "status"), stat_(pid, "stat"), smaps_(pid, "smaps_rollup"),
      ticks_per_s_(static_cast<double>(::sysconf(_SC_CLK_TCK))) {
    if (!(ticks_per_s_ > 0))
        ticks_per_s_ = 100;
}

std::optional<double> ProcessSampler::rssMib() {
    auto text = status_.read();
    auto kib = text ? parseVmRssKib(*text) : std::nullopt;
    if (!kib)
        return std::nullopt;
    return static_cast<double>(*kib) / 1024.0;
}

std::optional<double> ProcessSampler::cpuSeconds() {
    auto text = stat_.read();
    auto ticks = text ? parseStatCpuTicks(*text) : std::nullopt;
    if (!ticks)
        return std::nullopt;
    return static_cast<double>(*ticks) / ticks_per_s_;
}

std::optional<std::pair<double, double>> ProcessSampler::thpMib() {
    auto text = smaps_.read();
    auto kib = text ? parseAnonKib(*text) : std::nullopt;
    if (!kib)
        return std::nullopt;
    return std::pair{kib->first / 1024.0, kib->second / 1024.0};
}

} // namespace pr
