// Command-line parsing. Pure: checks syntax only; files and binaries are checked by the app.
#pragma once

#include "accel.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pr {

inline constexpr const char *kDefaultScenarioDir = "tools/scenarios";
inline constexpr const char *kDefaultResultsDir = "build/results";
inline constexpr const char *kDefaultBenchDir = "build/bench";
inline constexpr const char *kQuickBenchScenario = "bench-drain-1g";

struct HelpCommand {};

struct ListCommand {
    std::string scenarios_dir = kDefaultScenarioDir;
    std::string tag;       // non-empty: one SCENARIO@KERNEL line per scenario of this suite
    bool markdown = false; // a Markdown table: name | tags | description
};

struct RunCommand {
    std::string scenario;
    std::string kernel;
    std::string initrd;
    std::string scenarios_dir = kDefaultScenarioDir;
    std::string out_dir; // empty: build/results/<scenario>
    std::string qemu = "qemu-system-x86_64";
    std::string label;
    bool quiet = false;
    double timeout_scale = 1.0;
    AccelRequest accel = AccelRequest::Auto;
    bool no_kernel = false; // hidden test hook: boot nothing, CPU paused (-S)
};

struct PlotCommand {
    std::string out; // PNG path
    std::string title;
    std::vector<std::string> result_dirs; // each holds rss.tsv (+ result.json for the label)
    std::string align;                    // non-empty: each run's first such marker is t = 0
    bool summary = false;                 // print each run's return from its result.json
};

// Probe the accelerator once and print it, for scripts that pass --accel to many runs.
struct AccelCommand {
    std::string qemu = "qemu-system-x86_64";
};

struct KernelSpec {
    std::string label; // "base"
    std::string kernel;
    std::string initrd;
};

struct BenchCommand {
    std::vector<KernelSpec> kernels;    // exactly two: ratios are second / first
    std::vector<std::string> scenarios; // empty: every scenario tagged "bench", in bench order
    int repeat = 3;
    bool quick = false; // 1 repetition; kQuickBenchScenario unless --scenarios is given
    std::string out_dir = kDefaultBenchDir;
    std::string scenarios_dir = kDefaultScenarioDir;
    std::string qemu = "qemu-system-x86_64";
    double timeout_scale = 1.0;
    AccelRequest accel = AccelRequest::Auto;
};

using Command =
    std::variant<HelpCommand, ListCommand, RunCommand, PlotCommand, BenchCommand, AccelCommand>;

// `args` excludes argv[0]. Throws UsageError with a message naming the problem.
Command parseCommandLine(const std::vector<std::string> &args);

std::string usageText();

} // namespace pr
