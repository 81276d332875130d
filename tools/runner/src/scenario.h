// A test scenario, loaded from tools/scenarios/<name>.json. The schema is documented in
// tools/scenarios/README.md.
#pragma once

#include "assertions.h"
#include "qmp_expect.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pr {

struct QemuOptions {
    bool balloon = true; // add a virtio-balloon-pci device
    bool free_page_reporting = false;
    bool page_poison = false; // always passed explicitly: QEMU's default is on
    bool deflate_on_oom = false;
    std::vector<std::string> extra_args; // appended to the QEMU command line
};

// A QMP command sent when the guest prints a marker.
struct Action {
    std::string on_marker;         // marker event that triggers it (every occurrence)
    double delay_s = 0;            // sent this long after the marker was read
    std::string execute;           // QMP command name
    nlohmann::json arguments;      // null when the command takes none
    std::vector<QmpExpect> expect; // checks on every reply, reported with the assertions
};

enum class EndPolicy {
    GuestExit,   // run until the guest powers off (QEMU exits by itself)
    WhenDecided, // QMP "quit" once every assertion is decided or any has failed
};

// Console lines that fail every run unless a scenario sets its own "oops_regex".
inline constexpr const char *kDefaultOopsRegex =
    "BUG:|WARNING:|Oops:|Kernel panic|Call Trace:|memory corruption";
// The kernel of a tag without "@KERNEL", and the suite `pr-runner bench` runs.
inline constexpr const char *kDefaultKernel = "ours";
inline constexpr const char *kBenchSuite = "bench";

// A tag "SUITE[@KERNEL]": the scenario belongs to SUITE (check, stress, bench), run on KERNEL.
struct SuiteTag {
    std::string suite;
    std::string kernel; // kDefaultKernel when the tag names none
};

struct Scenario {
    std::string name;
    std::string description;
    std::vector<std::string> tags;  // as written, e.g. "check", "check@base", "bench"
    std::vector<SuiteTag> suites;   // the same, parsed
    std::optional<int> bench_order; // position among the bench scenarios (then by name)
    int memory_mib = 0;
    int smp = 1;
    QemuOptions qemu;
    std::string guest_cmdline;
    double timeout_s = 0;
    EndPolicy end = EndPolicy::GuestExit;
    double linger_s = 0; // when-decided: QEMU kept running this long after the decision
    std::string oops_regex = kDefaultOopsRegex;
    std::vector<Action> actions;
    std::vector<Assertion> assertions; // the file's, then no_console_match on oops_regex
};

// Validates and converts one scenario object. `origin` prefixes error messages (usually the
// file name). Throws SetupError naming the offending field.
Scenario parseScenario(const nlohmann::json &j, const std::string &origin);
// Reads and parses a file; the scenario name must equal the file name without ".json".
Scenario loadScenarioFile(const std::filesystem::path &path);
// Every *.json in `dir`, sorted by name. Throws SetupError if the directory is missing or
// any file is invalid.
std::vector<Scenario> loadScenarioDir(const std::filesystem::path &dir);
// Whether any tag of `s` names `suite` (on any kernel).
bool hasTag(const Scenario &s, const std::string &suite);

struct SuiteEntry {
    const Scenario *scenario;
    std::string kernel;
};
// One entry per tag naming `suite`: by bench_order (those without one last), then by name.
std::vector<SuiteEntry> suiteEntries(const std::vector<Scenario> &all, const std::string &suite);
// The suites the tags name, sorted.
std::vector<std::string> suiteNames(const std::vector<Scenario> &all);
// Throws UsageError listing the known names if `name` is not among them.
const Scenario &findScenario(const std::vector<Scenario> &all, const std::string &name);

} // namespace pr
