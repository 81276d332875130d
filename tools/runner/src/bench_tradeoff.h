// The trade-off chart of `pr-runner bench` (bench-tradeoff.png): for each bursty churn
// setting of the run (a scenario S with a twin S + "-noreport", e.g. bench-burst-250ms and
// bench-burst-250ms-noreport) and each kernel, what reporting costs the bursty workload
// against the host memory it gives back. Pure.
#pragma once

#include "bench_report.h"
#include "plot.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pr {

// The cost the chart marks with a dashed line: reporting slows the bursts by at most 5 %.
constexpr double kTradeoffGoal = 1.05;

struct TradeoffPoint {
    std::string scenario;      // the reporting-on scenario, e.g. "bench-burst-250ms"
    std::string setting;       // tradeoffSetting(scenario), e.g. "250ms"
    std::size_t kernel = 0;    // index into TradeoffData::kernels
    double cost_ratio = 0;     // median burst_ms of S / median burst_ms of S-noreport (1 = free)
    double given_back_mib = 0; // median mean MiB given back over the churn (S, reporting on)
};

struct TradeoffData {
    std::vector<std::string> kernels;
    std::vector<TradeoffPoint> points; // by scenario in bench order, then by kernel
};

// The part of a scenario name after "bench-burst-" ("bench-burst-1s" -> "1s"); the whole
// name when it does not start with that.
std::string tradeoffSetting(const std::string &name);

// The points of every pair S, S-noreport in `d`, from the medians of `rows` (summarize(d)):
// the `burst_ms` figures of both and the `given_back_mean_mib` figure of S. A kernel with one
// of the three medians missing (or a zero noreport median) has no point for that pair.
TradeoffData tradeoffData(const BenchData &d, const std::vector<BenchRow> &rows);

// The chart: cost ratio (x) against MiB given back (y), one series of points per kernel, each
// point labelled with its setting, a dashed line at kTradeoffGoal; x spans 1 and the goal.
// nullopt when there are no points.
std::optional<PanelPlotSpec> tradeoffPlotSpec(const TradeoffData &t,
                                              const std::filesystem::path &output_png);

} // namespace pr
