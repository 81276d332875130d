#include "bench_stats.h"

#include "text.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pr {

bool sampleLess(const Sample &a, const Sample &b) {
    if (a.value != b.value)
        return a.value < b.value;
    return !a.lower_bound && b.lower_bound;
}

std::optional<std::size_t> medianIndex(const std::vector<Sample> &samples) {
    if (samples.empty())
        return std::nullopt;
    std::vector<std::size_t> order(samples.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return sampleLess(samples[a], samples[b]);
    });
    return order[(samples.size() - 1) / 2];
}

std::optional<Sample> median(std::vector<Sample> samples) {
    if (samples.empty())
        return std::nullopt;
    std::sort(samples.begin(), samples.end(), sampleLess);
    const std::size_t n = samples.size();
    const Sample &lo = samples[(n - 1) / 2];
    const Sample &hi = samples[n / 2];
    return Sample{(lo.value + hi.value) / 2, lo.lower_bound || hi.lower_bound};
}

std::optional<Ratio> ratio(const Sample &num, const Sample &den) {
    if (den.value == 0 || (num.lower_bound && den.lower_bound))
        return std::nullopt;
    Ratio r;
    r.value = num.value / den.value;
    if (num.lower_bound)
        r.bound = Ratio::Bound::AtLeast;
    else if (den.lower_bound)
        r.bound = Ratio::Bound::AtMost;
    return r;
}

std::string formatValue(double v) {
    double mag = std::abs(v);
    int decimals = 0;
    if (mag == 0)
        decimals = 0;
    else if (mag < 1)
        decimals = std::min(6, 2 - static_cast<int>(std::floor(std::log10(mag))));
    else if (mag < 10)
        decimals = 2;
    else if (mag < 100)
        decimals = 1;
    return fixed(v, decimals);
}

std::string formatSample(const Sample &s) {
    return (s.lower_bound ? ">" : "") + formatValue(s.value);
}

std::string formatRatio(const Ratio &r) {
    const char *prefix = r.bound == Ratio::Bound::AtLeast  ? ">="
                         : r.bound == Ratio::Bound::AtMost ? "<="
                                                           : "";
    return prefix + formatValue(r.value);
}

} // namespace pr
