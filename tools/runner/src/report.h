// The outputs of a run: result.json, rss.tsv, rss.png (via rss.gp), and the summary text.
#pragma once

#include "assertions.h"
#include "run_record.h"
#include "sampling.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pr {

struct ActionRecord {
    double t = 0; // when the command was sent
    std::string on_marker;
    std::string execute;
    nlohmann::json arguments;
    nlohmann::json response; // the "return" value, null on error
    std::string error;       // empty on success
};

struct QmpEventRecord {
    double t = 0;
    nlohmann::json message;
};

struct AssertionReport {
    std::string kind;
    std::string description;
    AssertionResult result;
};

struct RunResult {
    std::string scenario;
    std::string description;
    std::string label;
    std::string kernel;
    std::string initrd;
    std::vector<std::string> qemu_argv;
    std::string accel;        // "tcg" or "kvm"
    std::string accel_reason; // why that one (accel.h)
    std::string timing;       // samplingText(): how finely the run was timed
    std::vector<SamplingPeriod> sampling_periods;
    int qemu_pid = 0;
    std::string started_at; // UTC, ISO 8601
    double duration_s = 0;
    std::string end_reason;          // guest-exit, decided, timeout, interrupted
    std::optional<double> decided_s; // when-decided: when the outcome was settled
    double linger_s = 0;             // and how long QEMU was kept running after it
    std::string qemu_exit;           // "exit code 0", "signal 15 (Terminated)"
    bool passed = false;
    std::string reason; // why it failed; empty when passed
    RunRecord record;
    std::vector<ActionRecord> actions;
    std::vector<QmpEventRecord> qmp_events;
    std::vector<AssertionReport> assertions;
};

nlohmann::json resultJson(const RunResult &r);

// rss.tsv: "# ..." header comments, then "t_seconds<TAB>rss_mib[<TAB>qemu_cpu_s]" rows
// (the CPU time column when it was sampled); markers are interleaved in time order as
// "# marker <t> <text>" comment lines.
std::string rssTsv(const RunResult &r);

struct RssTable {
    std::vector<RssSample> samples;
    std::vector<TimedMarker> markers;
};
// Reads an rss.tsv back (for plotting several runs together).
RssTable readRssTsv(const std::filesystem::path &path);

// The per-assertion summary block and the final "PASS <scenario>" / "FAIL <scenario>: why".
std::string summaryText(const RunResult &r);
std::string finalLine(const RunResult &r);

// Writes result.json, rss.tsv, rss.gp and rss.png into `out_dir`. A plotting failure does
// not lose the other files: it is returned as a warning (empty if everything worked).
std::string writeReport(const RunResult &r, const std::filesystem::path &out_dir);

} // namespace pr
