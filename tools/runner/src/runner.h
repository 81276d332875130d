// Runs one scenario: starts QEMU, polls RSS / console / QMP in a single loop, fires the
// scenario's actions, decides when to stop, and returns everything that was recorded.
#pragma once

#include "assertions.h"
#include "console_watcher.h"
#include "report.h"
#include "scenario.h"
#include "subprocess.h"
#include "timeline.h"

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

namespace pr {

struct RunSettings {
    std::filesystem::path out_dir; // exists and is writable
    std::string qemu;              // resolved QEMU binary
    std::string kernel;            // empty with no_kernel
    std::string initrd;
    std::string label;
    bool quiet = false;
    double timeout_scale = 1.0;
    bool no_kernel = false;
    std::chrono::milliseconds sample_period{50}; // 20 Hz
};

enum class EndReason {
    GuestExit,   // QEMU exited by itself
    Decided,     // "end": "when-decided" and every assertion decided (or one failed)
    Timeout,     // timeout_s x --timeout-scale passed
    Interrupted, // SIGINT / SIGTERM / SIGHUP
};

class Runner {
public:
    Runner(const Scenario &scenario, RunSettings settings, std::ostream &out);

    // QEMU is stopped and reaped before this returns or throws. Throws SetupError if QEMU
    // cannot be started or exits before its QMP socket accepts a connection.
    RunResult run();

private:
    struct Session; // QEMU and the channels to it, alive for one run

    void clearOutputDir() const;
    void connectQmp(Session &s) const;
    EndReason loop(Session &s);
    void stopQemu(Session &s, EndReason end);
    void takeConsole(Session &s, ConsoleWatcher::Update update, double t, bool fire_actions);
    void runActions(Session &s, const TimedMarker &tm);
    void runDueActions(Session &s, double now);
    void sendAction(Session &s, const Action &action);
    void recordQmpEvents(Session &s);
    double elapsed(const Session &s) const;
    std::vector<std::string> failureReasons(EndReason end, const ExitStatus &exit,
                                            double end_t) const;

    const Scenario &scenario_;
    RunSettings settings_;
    std::ostream &out_;
    Timeline timeline_;
    Evaluator evaluator_;
    bool sample_thp_;                   // the scenario looks at huge pages
    static constexpr long kThpEvery = 20; // ticks between smaps_rollup reads (1 s)
    RunResult result_;
    std::vector<AssertionResult> latest_; // the last evaluation while running
    struct DelayedAction {
        double due; // elapsed seconds
        const Action *action;
    };
    std::vector<DelayedAction> delayed_; // actions with delay_s whose marker was seen
};

} // namespace pr
