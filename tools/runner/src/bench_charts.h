// The summary charts of `pr-runner bench`, from the medians of its table rows. Pure.
//
// bench-scaling.png: for each drain scenario in the run (one with a `return_s` figure), the
// guest size against each kernel's median return time and median QEMU CPU per GiB returned.
//
// bench-tradeoff.png: for each bursty churn setting of the run (a scenario S with a twin
// S + "-noreport", e.g. bench-burst-250ms and bench-burst-250ms-noreport) and each kernel,
// what reporting costs the bursty workload against the host memory it gives back.
#pragma once

#include "bench_report.h"
#include "bench_stats.h"
#include "plot.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pr {

struct ScalingPoint {
    std::string scenario;
    double gib = 0;                                 // guest size
    std::vector<std::optional<Sample>> return_s;    // [kernel] median
    std::vector<std::optional<Sample>> cpu_per_gib; // [kernel] median
};

struct ScalingData {
    std::vector<std::string> kernels;
    std::string return_label;         // the first drain scenario's, e.g. "return 95 % (s)"
    std::vector<ScalingPoint> points; // by guest size; one scenario per size (the first)
};

// Guest size in GiB: `memory_mib` / 1024, or when that is unknown (<= 0) the size in the
// scenario's name ("bench-drain-16g" -> 16, "drain-512m-x" -> 0.5); nullopt if neither.
std::optional<double> guestGib(int memory_mib, const std::string &name);

// The medians of `rows` (summarize(d)) for every drain scenario of `d` with a known size.
ScalingData scalingData(const BenchData &d, const std::vector<BenchRow> &rows);

// The chart: return time (log y) and CPU per GiB (linear y) against the guest size, one line
// per kernel, missing medians left out. nullopt when no point has a value.
std::optional<PanelPlotSpec> scalingPlotSpec(const ScalingData &s,
                                             const std::filesystem::path &output_png);

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
