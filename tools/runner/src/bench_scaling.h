// The scaling chart of `pr-runner bench` (bench-scaling.png): for each drain scenario in the
// run (one with a `return_s` figure), the guest size against each kernel's median return time
// and median QEMU CPU per GiB returned. Pure.
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

} // namespace pr
