// Statistics for `pr-runner bench`: medians and ratios of figures that may be lower bounds
// (a run that stopped watching before the event happened), and their formatting. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pr {

// One run's value of a figure. `lower_bound`: the event was not seen within the window
// (e.g. RSS not back within 60 s), so the true value is at least `value`.
struct Sample {
    double value = 0;
    bool lower_bound = false;
};

// Lower bounds sort after exact values equal to them (they only arise at the end of a
// window, so they are at least every value measured inside it).
bool sampleLess(const Sample &a, const Sample &b);

// The median; with an even count the mean of the two middle samples. A lower bound when a
// middle sample is one. nullopt for no samples.
std::optional<Sample> median(std::vector<Sample> samples);

// Index (into `samples`) of the median sample, the lower of the two middle ones for an
// even count: the run to show as "typical" in a chart. nullopt for no samples.
std::optional<std::size_t> medianIndex(const std::vector<Sample> &samples);

struct Ratio {
    enum class Bound { Exact, AtLeast, AtMost };
    double value = 0;
    Bound bound = Bound::Exact;
};

// numerator / denominator (e.g. ours / base). nullopt if the denominator is 0 or both are
// lower bounds (nothing can be said).
std::optional<Ratio> ratio(const Sample &numerator, const Sample &denominator);

// 3 significant digits at most, no exponent: 0.0123, 0.35, 7.05, 68.2, 768, 12345.
std::string formatValue(double v);
// formatValue, with ">" in front of a lower bound: ">60".
std::string formatSample(const Sample &s);
// "0.05", ">=1.2", "<=0.01" (always 3 significant digits, as formatValue).
std::string formatRatio(const Ratio &r);

} // namespace pr
