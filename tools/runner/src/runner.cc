#include "runner.h"
#include "text_format.h"

#include "cpu_sampler.h"
#include "error.h"
#include "qemu_command.h"
#include "qmp_client.h"
#include "qmp_expect.h"
#include "rss_sampler.h"
#include "signal_guard.h"
#include "temp_dir.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sys/un.h>
#include <thread>

namespace pr {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

std::string signalName(int sig) { return std::string("SIG") + sigabbrev_np(sig); }

std::string tailOf(const std::filesystem::path &path, std::size_t max_lines) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    std::string out;
    std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (std::size_t i = first; i < lines.size(); ++i)
        out += "\n  " + lines[i];
    return out;
}

std::string endReasonName(EndReason e) {
    switch (e) {
    case EndReason::GuestExit:
        return "guest-exit";
    case EndReason::Decided:
        return "decided";
    case EndReason::Timeout:
        return "timeout";
    case EndReason::Interrupted:
        return "interrupted (" + signalName(SignalGuard::caught()) + ")";
    }
    return "?";
}

// A unix socket path must fit in sockaddr_un; long output paths get a private temp dir.
struct QmpSocketPath {
    explicit QmpSocketPath(const std::filesystem::path &out_dir) : path(out_dir / "qmp.sock") {
        if (path.native().size() >= sizeof(sockaddr_un::sun_path)) {
            dir = std::make_unique<TempDir>("pr-runner-qmp");
            path = dir->path() / "qmp.sock";
        }
    }
    ~QmpSocketPath() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    std::unique_ptr<TempDir> dir;
    std::filesystem::path path;
};

} // namespace

struct Runner::Session {
    Session(const std::vector<std::string> &argv, const std::filesystem::path &out_dir,
            std::filesystem::path socket)
        : t0(Clock::now()), qmp_socket(std::move(socket)),
          qemu({argv, "/dev/null", out_dir / "qemu.log"}), rss(qemu.pid()), cpu(qemu.pid()),
          thp(qemu.pid()), console(out_dir / "console.log") {}

    Clock::time_point t0;
    std::filesystem::path qmp_socket;
    Subprocess qemu; // declared first among the resources: destroyed (killed) last
    RssSampler rss;
    CpuSampler cpu;
    ThpSampler thp;
    ConsoleWatcher console;
    std::optional<QmpClient> qmp;
    std::optional<ExitStatus> exit_status;
};

Runner::Runner(const Scenario &scenario, RunSettings settings, std::ostream &out)
    : scenario_(scenario), settings_(std::move(settings)), out_(out),
      timeline_(out, !settings_.quiet), evaluator_(scenario.assertions),
      sample_thp_(needsThpSamples(scenario.assertions)) {}

double Runner::elapsed(const Session &s) const {
    return std::chrono::duration<double>(Clock::now() - s.t0).count();
}

void Runner::clearOutputDir() const {
    for (const char *stale : {"console.log", "qemu.log", "qmp.sock", "rss.tsv", "rss.gp",
                              "rss.gp.log", "rss.png", "result.json"})
        std::filesystem::remove(settings_.out_dir / stale);
}

RunResult Runner::run() {
    clearOutputDir();
    QmpSocketPath socket(settings_.out_dir);
    const std::filesystem::path &dir = settings_.out_dir;

    result_ = RunResult{};
    delayed_.clear();
    result_.scenario = scenario_.name;
    result_.description = scenario_.description;
    result_.label = settings_.label;
    result_.kernel = settings_.kernel;
    result_.initrd = settings_.initrd;
    result_.qemu_argv = buildQemuArgv(scenario_, {settings_.qemu, settings_.kernel,
                                                  settings_.initrd, (dir / "console.log").string(),
                                                  socket.path.string(), settings_.no_kernel});
    result_.started_at = utcNow();

    SignalGuard signals;
    Session session(result_.qemu_argv, dir, socket.path);
    result_.qemu_pid = session.qemu.pid();
    if (!settings_.quiet)
        out_ << "pr-runner: " << scenario_.name << ": QEMU pid " << session.qemu.pid()
             << ", timeout " << fixed(scenario_.timeout_s * settings_.timeout_scale, 0)
             << " s, output in " << dir.string() << std::endl;

    connectQmp(session);
    EndReason end = SignalGuard::caught() ? EndReason::Interrupted : loop(session);
    stopQemu(session, end);

    const double end_t = elapsed(session);
    takeConsole(session, session.console.finish(), end_t, false);
    timeline_.flush(end_t, result_.record.samples.empty()
                               ? std::nullopt
                               : std::optional<double>(result_.record.samples.back().mib));

    auto final_results = evaluator_.evaluate(result_.record, end_t, true);
    for (std::size_t i = 0; i < scenario_.assertions.size(); ++i)
        result_.assertions.push_back({kindName(scenario_.assertions[i]),
                                      describe(scenario_.assertions[i]), final_results[i]});
    for (const auto &a : scenario_.actions)
        for (auto &rep :
             evaluateQmpExpects(a.on_marker, a.execute, a.arguments, a.expect, result_.actions))
            result_.assertions.push_back(std::move(rep));
    result_.duration_s = end_t;
    result_.end_reason = endReasonName(end);
    result_.qemu_exit = session.exit_status->describe();
    auto reasons = failureReasons(end, *session.exit_status, end_t);
    result_.passed = reasons.empty();
    result_.reason = reasons.empty() ? "" : reasons.front();
    return std::move(result_);
}

void Runner::connectQmp(Session &s) const {
    auto timeout = std::chrono::milliseconds(
        static_cast<long>(10000 * std::max(1.0, settings_.timeout_scale)));
    try {
        s.qmp.emplace(s.qmp_socket, timeout,
                      [&] { return SignalGuard::caught() != 0 || s.qemu.poll().has_value(); });
    } catch (const QmpTransportError &e) {
        if (auto status = s.qemu.poll())
            throw SetupError("QEMU exited with " + status->describe() +
                             " before opening its QMP socket; end of " +
                             (settings_.out_dir / "qemu.log").string() + ":" +
                             tailOf(settings_.out_dir / "qemu.log", 8));
        if (!SignalGuard::caught())
            throw SetupError(std::string("QMP: ") + e.what());
    }
}

EndReason Runner::loop(Session &s) {
    const double timeout_s = scenario_.timeout_s * settings_.timeout_scale;
    for (long tick = 1;; ++tick) {
        const double now = elapsed(s);
        if (SignalGuard::caught())
            return EndReason::Interrupted;
        if ((s.exit_status = s.qemu.poll()))
            return EndReason::GuestExit;
        std::optional<double> rss = s.rss.sampleMib();
        if (rss) {
            result_.record.samples.push_back({now, *rss, s.cpu.sampleSeconds()});
            if (sample_thp_ && tick % kThpEvery == 1) {
                if (auto thp = s.thp.sampleMib()) {
                    result_.record.samples.back().anon_mib = thp->first;
                    result_.record.samples.back().anon_huge_mib = thp->second;
                }
            }
        }
        takeConsole(s, s.console.poll(), now, true);
        runDueActions(s, now);
        recordQmpEvents(s);
        latest_ = evaluator_.evaluate(result_.record, now, false);
        // The outcome is settled once everything is decided or anything has failed.
        if (scenario_.end == EndPolicy::WhenDecided && (allDecided(latest_) || anyFailed(latest_)))
            return EndReason::Decided;
        if (now >= timeout_s)
            return EndReason::Timeout;
        timeline_.tick(now, rss);

        auto next = s.t0 + tick * settings_.sample_period;
        if (next < Clock::now()) { // fell behind (e.g. a slow QMP reply): skip missed ticks
            tick = (Clock::now() - s.t0) / settings_.sample_period + 1;
            next = s.t0 + tick * settings_.sample_period;
        }
        std::this_thread::sleep_until(next);
    }
}

void Runner::stopQemu(Session &s, EndReason end) {
    if (end == EndReason::Decided && s.qmp) {
        try {
            s.qmp->execute("quit", json(), std::chrono::seconds(5));
        } catch (const std::runtime_error &) {
            // QEMU may close the socket while answering; waiting for the exit decides.
        }
        s.exit_status = s.qemu.wait(std::chrono::seconds(5));
    }
    if (!s.exit_status)
        s.exit_status = s.qemu.terminate(); // SIGTERM, 2 s, SIGKILL
    recordQmpEvents(s);
    s.qmp.reset();
}

void Runner::takeConsole(Session &s, ConsoleWatcher::Update update, double t, bool fire_actions) {
    for (auto &line : update.lines)
        result_.record.console_lines.push_back(std::move(line));
    for (auto &m : update.markers) {
        timeline_.note(m.text);
        result_.record.markers.push_back({t, std::move(m)});
        if (fire_actions)
            runActions(s, result_.record.markers.back());
    }
}

void Runner::runActions(Session &s, const TimedMarker &tm) {
    for (const auto &action : scenario_.actions) {
        if (action.on_marker != tm.marker.event)
            continue;
        if (action.delay_s > 0) {
            delayed_.push_back({tm.t + action.delay_s, &action});
            timeline_.note("qmp " + action.execute + " in " + fixed(action.delay_s, 1) + " s");
        } else {
            sendAction(s, action);
        }
    }
}

// Sends the delayed actions whose time has come, in the order they fell due. Those still
// waiting when the run ends are never sent (and count as never run for their `expect`).
void Runner::runDueActions(Session &s, double now) {
    while (true) {
        auto due = delayed_.end();
        for (auto it = delayed_.begin(); it != delayed_.end(); ++it)
            if (it->due <= now && (due == delayed_.end() || it->due < due->due))
                due = it;
        if (due == delayed_.end())
            return;
        const Action &action = *due->action;
        delayed_.erase(due);
        sendAction(s, action);
    }
}

void Runner::sendAction(Session &s, const Action &action) {
    ActionRecord rec;
    rec.t = elapsed(s);
    rec.on_marker = action.on_marker;
    rec.execute = action.execute;
    rec.arguments = action.arguments;
    try {
        if (!s.qmp)
            throw QmpTransportError("no QMP connection");
        rec.response = s.qmp->execute(action.execute, action.arguments);
        timeline_.note("qmp " + action.execute + " ok");
    } catch (const std::runtime_error &e) {
        rec.error = e.what();
        timeline_.note("qmp " + action.execute + " FAILED");
    }
    result_.actions.push_back(std::move(rec));
}

void Runner::recordQmpEvents(Session &s) {
    if (!s.qmp)
        return;
    try {
        for (auto &e : s.qmp->pollEvents()) {
            timeline_.note("qmp:" + e.message.value("event", std::string("?")));
            result_.qmp_events.push_back(
                {std::chrono::duration<double>(e.received - s.t0).count(), std::move(e.message)});
        }
    } catch (const QmpTransportError &e) {
        timeline_.note(std::string("qmp lost: ") + e.what());
        s.qmp.reset();
    }
}

std::vector<std::string> Runner::failureReasons(EndReason end, const ExitStatus &exit,
                                                double end_t) const {
    std::vector<std::string> reasons; // most telling first
    if (end == EndReason::Interrupted)
        reasons.push_back("interrupted by " + signalName(SignalGuard::caught()));
    if (end == EndReason::Timeout) {
        std::string waiting;
        for (std::size_t i = 0; i < latest_.size(); ++i)
            if (latest_[i].verdict == Verdict::Pending)
                waiting += (waiting.empty() ? "" : "; ") + describe(scenario_.assertions[i]) +
                           " (" + latest_[i].detail + ")";
        reasons.push_back("timed out after " + fixed(end_t, 1) + " s (timeout_s " +
                          fixed(scenario_.timeout_s, 0) + " x scale " +
                          fixed(settings_.timeout_scale, 2) + ")" +
                          (waiting.empty() ? ", waiting for the guest to power off"
                                           : ", still pending: " + waiting));
    }
    for (const auto &a : result_.assertions)
        if (a.result.verdict != Verdict::Pass)
            reasons.push_back(a.description + ": " + a.result.detail);
    for (const auto &a : result_.actions)
        if (!a.error.empty())
            reasons.push_back("action " + a.execute + " on '" + a.on_marker +
                              "' failed: " + a.error);
    if (end == EndReason::GuestExit && !exit.success())
        reasons.push_back("QEMU exited with " + exit.describe() + "; see " +
                          (settings_.out_dir / "qemu.log").string());
    return reasons;
}

} // namespace pr
