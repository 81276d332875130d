// `pr-runner bench`: runs scenarios on two kernels in alternating order (benchOrder), takes
// each run's figures (bench_figures.h) and writes the summary (bench_report.h), one RSS chart
// per drain scenario, and the scaling and trade-off charts (bench_charts.h).
#pragma once

#include "accel.h"
#include "bench_report.h"
#include "scenario.h"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace pr {

struct BenchSettings {
    std::vector<BenchKernel> kernels; // paths checked and absolute
    std::vector<Scenario> scenarios;
    int repeat = 3;
    std::filesystem::path out_dir; // absolute, exists and is writable
    std::string qemu;              // resolved binary
    double timeout_scale = 1.0;
    AccelChoice accel{"tcg", "default"}; // for every scenario that does not need TCG
};

class Bench {
public:
    Bench(BenchSettings settings, std::ostream &out);

    // Runs every planned run (each one stops and reaps its QEMU), rewriting bench.json and
    // bench.md after each, then draws the charts and prints the table. A run that fails or
    // cannot start is recorded and the bench goes on; SIGINT/SIGTERM/SIGHUP stop it after
    // the current run (the caller re-raises the signal). Returns true if every run gave
    // all its figures.
    bool run();

private:
    void snapshotKernels();
    BenchRun runOne(const PlannedRun &planned);
    void writeReports();
    std::vector<std::string> drawCharts();

    BenchSettings settings_;
    std::ostream &out_;
    BenchData data_;
    std::vector<BenchKernel> run_kernels_; // copies under <out>/kernels/<label>/
};

} // namespace pr
