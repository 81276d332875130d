// What `pr-runner bench` runs and records, and its summary: the order of the runs, the
// per-figure medians and ratios, the console table, bench.md (table and method) and
// bench.json. Pure.
#pragma once

#include "bench_figures.h"
#include "bench_stats.h"
#include "host_info.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pr {

struct BenchKernel {
    std::string label; // "base", "ours"
    std::string kernel;
    std::string initrd;
};

// The order of the runs. Scenarios run one after the other; each scenario runs `repeat`
// repetitions back to back, and every repetition runs each kernel once. The kernel order
// flips from one repetition to the next (A B, B A, A B, ...), so a slow drift of the host
// (heat, a neighbour's load) biases neither kernel.
struct PlannedRun {
    std::size_t scenario = 0; // index into the scenario list
    int repetition = 1;       // 1-based
    std::size_t kernel = 0;   // index into the kernel list

    bool operator==(const PlannedRun &o) const {
        return scenario == o.scenario && repetition == o.repetition && kernel == o.kernel;
    }
};

std::vector<PlannedRun> benchOrder(std::size_t scenarios, std::size_t kernels, int repeat);

// "base ours, ours base, base ours" for 3 repetitions of two kernels.
std::string orderText(const std::vector<std::string> &kernel_labels, int repeat);

struct BenchScenarioInfo {
    std::string name;
    std::string description;
    std::string setup;         // guest size and QEMU options, the same for every kernel
    int memory_mib = 0;        // guest RAM; 0: unknown (the scaling chart then reads the name)
    std::string accel = "tcg"; // what its runs used (-icount scenarios: always tcg)
};

struct BenchRun {
    std::size_t scenario = 0; // index into BenchData::scenarios
    int repetition = 1;
    std::size_t kernel = 0; // index into BenchData::kernels
    std::string dir;        // the run's result directory, relative to the bench output
    std::string outcome;    // "pass", "fail" (an assertion failed) or "error" (no result)
    std::string reason;     // why it failed; empty when it passed
    double duration_s = 0;
    std::vector<Figure> figures;
};

struct BenchData {
    std::vector<BenchKernel> kernels; // the ratio column is the last over the first
    std::vector<BenchScenarioInfo> scenarios;
    int repeat = 1;
    std::size_t planned_runs = 0;
    HostInfo host;
    std::string accel = "tcg";  // the accelerator chosen for the bench (accel.h)
    std::string accel_reason;   // why
    std::string timing;         // how finely runs were timed (samplingText)
    std::string started_at;     // UTC, ISO 8601
    std::string finished_at;    // empty while running
    std::string load_start;     // host load averages (1, 5, 15 min) when it started
    std::string load_end;       // and when it finished
    std::vector<BenchRun> runs; // in the order they ran
};

// One line of the table: a figure of a scenario over every run of every kernel.
struct BenchRow {
    std::string scenario;
    std::string key;
    std::string label;
    std::vector<std::vector<std::optional<Sample>>> raw; // [kernel][run, in run order]
    std::vector<std::optional<Sample>> medians;          // [kernel]
    std::optional<Ratio> ratio;                          // last kernel / first
};

std::vector<BenchRow> summarize(const BenchData &d);

// Columns padded to their widest cell, two blanks apart, trailing blanks removed.
std::string alignColumns(const std::vector<std::vector<std::string>> &rows);

// The console table: scenario, figure, median per kernel, ratio, n, each run's values.
std::string tableText(const BenchData &d, const std::vector<BenchRow> &rows);
// bench.md: the table as Markdown, failed runs, and the method.
std::string markdownReport(const BenchData &d, const std::vector<BenchRow> &rows);
// bench.json: everything recorded plus the summary.
nlohmann::json benchJson(const BenchData &d, const std::vector<BenchRow> &rows);

} // namespace pr
