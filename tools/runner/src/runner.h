// Runs one scenario: starts QEMU, then one loop waits in poll() on the serial console and
// QMP until the next RSS sample is due (sampling.h), stamps console lines as they arrive,
// fires the scenario's actions, decides when to stop, and returns everything recorded.
// While it runs it prints the live timeline.
#pragma once

#include "accel.h"
#include "assertions.h"
#include "console.h"
#include "report.h"
#include "sampling.h"
#include "scenario.h"
#include "subprocess.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pr {

// The live timeline printed during a run: at most one line per second with the elapsed
// time, the host RSS of QEMU and whatever happened since the previous line (guest markers,
// QMP actions and events).
class Timeline {
public:
    Timeline(std::ostream &out, bool enabled) : out_(out), enabled_(enabled) {}

    void note(std::string text) { notes_.push_back(std::move(text)); }
    // Prints a line once a new whole second has been reached.
    void tick(double now, std::optional<double> rss_mib);
    // Prints a last line if anything was noted since the previous one.
    void flush(double now, std::optional<double> rss_mib);

    // "    12.0 s     523.4 MiB  touch-begin | touched mib=768"
    static std::string formatLine(double now, std::optional<double> rss_mib,
                                  const std::vector<std::string> &notes);

private:
    void print(double now, std::optional<double> rss_mib);

    std::ostream &out_;
    bool enabled_;
    double next_ = 1.0;
    std::vector<std::string> notes_;
};

struct RunSettings {
    std::filesystem::path out_dir; // exists and is writable
    std::string qemu;              // resolved QEMU binary
    std::string kernel;            // empty with no_kernel
    std::string initrd;
    std::string label;
    bool quiet = false;
    double timeout_scale = 1.0;
    bool no_kernel = false;
    AccelChoice accel{"tcg", "default"}; // see accel.h; accelFor() applied already
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
    void connectConsole(Session &s) const;
    void connectQmp(Session &s) const;
    [[noreturn]] void qemuGone(Session &s, const std::string &before) const;
    std::chrono::milliseconds connectTimeout() const;
    EndReason loop(Session &s);
    void sample(Session &s, double now);
    void waitForInput(Session &s);
    void stopQemu(Session &s, EndReason end);
    void takeConsole(Session &s, ConsoleWatcher::Update update, bool fire_actions);
    void runActions(Session &s, const TimedMarker &tm);
    void runDueActions(Session &s, double now);
    void sendAction(Session &s, const Action &action);
    void recordQmpEvents(Session &s);
    double elapsed(const Session &s) const;
    std::optional<double> lastRss() const; // for the timeline
    std::vector<std::string> failureReasons(EndReason end, const ExitStatus &exit,
                                            double end_t) const;

    const Scenario &scenario_;
    RunSettings settings_;
    std::ostream &out_;
    Timeline timeline_;
    Evaluator evaluator_;
    bool sample_thp_;                        // the scenario looks at huge pages
    static constexpr double kThpEvery_s = 1; // between smaps_rollup reads
    double next_thp_ = 0;
    SamplingPlan sampling_;
    RunResult result_;
    std::vector<AssertionResult> latest_; // the last evaluation while running
    struct DelayedAction {
        double due; // elapsed seconds
        const Action *action;
    };
    std::vector<DelayedAction> delayed_; // actions with delay_s whose marker was seen
};

} // namespace pr
