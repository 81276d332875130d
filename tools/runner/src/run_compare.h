// Comparing finished runs on one chart (`pr-runner plot --align/--summary`): each run's
// return read back from its result.json, and its RSS table shifted onto a marker. Pure.
#pragma once

#include "plot.h"
#include "report.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pr {

// What a run's first rss_returned (else rss_returned_within) assertion measured.
struct RunReturn {
    std::string label;
    std::string kind; // "rss_returned", "rss_returned_within"; empty: the run measured none
    std::optional<double> returned_mib;
    std::optional<double> peak_t;  // run time of the marker the return is measured from
    std::optional<double> after_s; // seconds after it: the return, or the best seen so far
    bool reached = false;          // rss_returned: the fraction came back within the window
    std::optional<double> window_s;
    std::string detail; // the assertion's detail line
};

RunReturn runReturn(const nlohmann::json &result, std::string label);

// "ours: 764 MiB back in 0.30 s", "base: 735 MiB back in 11.4 s (not all within 60 s: ...)",
// "x: 12 MiB back within 30 s", "x: no return measured (...)".
std::string returnLine(const RunReturn &r);

// The run time when the return (or the best so far) was seen, if known.
std::optional<double> returnTime(const RunReturn &r);

struct AlignedSeries {
    PlotSeries series;
    double origin = 0; // the run time that became t = 0
};

// The run's samples and markers shifted so its first `marker` is at t = 0, without the
// "value" markers (counters the guest prints); nullopt if the run never printed `marker`.
std::optional<AlignedSeries> alignedSeries(std::string label, const RssTable &table,
                                           const std::string &marker);

} // namespace pr
