#include "runner.h"

#include "error.h"
#include "qemu_command.h"
#include "qmp_client.h"
#include "qmp_expect.h"
#include "raii.h"
#include "text.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/un.h>

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

// The console and QMP unix sockets. A socket path must fit in sockaddr_un; long output
// paths get a private temp dir.
struct RunSockets {
    explicit RunSockets(const std::filesystem::path &out_dir)
        : console(out_dir / "console.sock"), qmp(out_dir / "qmp.sock") {
        if (qmp.native().size() >= sizeof(sockaddr_un::sun_path) ||
            console.native().size() >= sizeof(sockaddr_un::sun_path)) {
            dir = std::make_unique<TempDir>("pr-runner-sock");
            console = dir->path() / "console.sock";
            qmp = dir->path() / "qmp.sock";
        }
    }
    ~RunSockets() {
        std::error_code ec;
        std::filesystem::remove(qmp, ec);
    }
    std::unique_ptr<TempDir> dir;
    std::filesystem::path console, qmp;
};

} // namespace

std::string Timeline::formatLine(double now, std::optional<double> rss_mib,
                                 const std::vector<std::string> &notes) {
    std::string line =
        format("%8.1f s  ", now) + (rss_mib ? format("%8.1f", *rss_mib) : "       -") + " MiB";
    for (std::size_t i = 0; i < notes.size(); ++i)
        line += (i == 0 ? "  " : " | ") + notes[i];
    return line;
}

void Timeline::print(double now, std::optional<double> rss_mib) {
    next_ = std::floor(now) + 1.0;
    if (enabled_)
        out_ << formatLine(now, rss_mib, notes_) << std::endl;
    notes_.clear();
}

void Timeline::tick(double now, std::optional<double> rss_mib) {
    if (now >= next_)
        print(now, rss_mib);
}

void Timeline::flush(double now, std::optional<double> rss_mib) {
    if (!notes_.empty())
        print(now, rss_mib);
}

struct Runner::Session {
    Session(const std::vector<std::string> &argv, const std::filesystem::path &out_dir,
            const RunSockets &sockets, const SamplingPlan &plan)
        : t0(Clock::now()), qmp_socket(sockets.qmp), console_listener(sockets.console),
          qemu({argv, out_dir / "qemu.log"}), sampler(qemu.pid()), schedule(plan) {}

    Clock::time_point t0;
    std::filesystem::path qmp_socket;
    UnixListener console_listener; // listening before QEMU starts: it connects as a client
    Subprocess qemu;               // declared first among the resources: destroyed (killed) last
    ProcessSampler sampler;
    SamplingSchedule schedule;
    std::optional<ConsoleWatcher> console;
    std::optional<QmpClient> qmp;
    std::optional<ExitStatus> exit_status;
};

Runner::Runner(const Scenario &scenario, RunSettings settings, std::ostream &out)
    : scenario_(scenario), settings_(std::move(settings)), out_(out),
      timeline_(out, !settings_.quiet), evaluator_(scenario.assertions),
      sample_thp_(needsThpSamples(scenario.assertions)),
      sampling_(samplingPlan(scenario.assertions)) {}

std::optional<double> Runner::lastRss() const {
    const auto &samples = result_.record.samples;
    return samples.empty() ? std::nullopt : std::optional<double>(samples.back().mib);
}

double Runner::elapsed(const Session &s) const {
    return std::chrono::duration<double>(Clock::now() - s.t0).count();
}

void Runner::clearOutputDir() const {
    for (const char *stale : {"console.log", "console.sock", "qemu.log", "qmp.sock", "rss.tsv",
                              "rss.gp", "rss.gp.log", "rss.png", "result.json"})
        std::filesystem::remove(settings_.out_dir / stale);
}

RunResult Runner::run() {
    clearOutputDir();
    RunSockets sockets(settings_.out_dir);
    const std::filesystem::path &dir = settings_.out_dir;

    result_ = RunResult{};
    delayed_.clear();
    next_thp_ = 0;
    result_.scenario = scenario_.name;
    result_.description = scenario_.description;
    result_.label = settings_.label;
    result_.kernel = settings_.kernel;
    result_.initrd = settings_.initrd;
    result_.accel = settings_.accel.accel;
    result_.accel_reason = settings_.accel.reason;
    result_.timing = samplingText(sampling_);
    result_.linger_s = scenario_.linger_s;
    result_.qemu_argv = buildQemuArgv(
        scenario_, {settings_.qemu, settings_.kernel, settings_.initrd, sockets.console.string(),
                    sockets.qmp.string(), settings_.no_kernel, settings_.accel.accel});
    result_.started_at = utcNow();

    SignalGuard signals;
    Session session(result_.qemu_argv, dir, sockets, sampling_);
    result_.qemu_pid = session.qemu.pid();
    if (!settings_.quiet)
        out_ << "pr-runner: " << scenario_.name << ": QEMU pid " << session.qemu.pid() << " ("
             << settings_.accel.accel << "), timeout "
             << fixed(scenario_.timeout_s * settings_.timeout_scale, 0) << " s, output in "
             << dir.string() << std::endl;

    connectConsole(session);
    connectQmp(session);
    EndReason end = SignalGuard::caught() ? EndReason::Interrupted : loop(session);
    if (session.console) // what came before the stop, stamped as it is read now
        takeConsole(session, session.console->read(elapsed(session)), false);
    stopQemu(session, end);

    const double end_t = elapsed(session);
    if (session.console)
        takeConsole(session, session.console->finish(end_t), false);
    timeline_.flush(end_t, lastRss());

    auto final_results = evaluator_.evaluate(result_.record, end_t, true);
    for (std::size_t i = 0; i < scenario_.assertions.size(); ++i)
        result_.assertions.push_back({kindName(scenario_.assertions[i]),
                                      describe(scenario_.assertions[i]), final_results[i]});
    for (const auto &a : scenario_.actions)
        for (auto &rep :
             evaluateQmpExpects(a.on_marker, a.execute, a.arguments, a.expect, result_.actions))
            result_.assertions.push_back(std::move(rep));
    result_.sampling_periods = session.schedule.periods();
    result_.duration_s = end_t;
    result_.end_reason = endReasonName(end);
    result_.qemu_exit = session.exit_status->describe();
    auto reasons = failureReasons(end, *session.exit_status, end_t);
    result_.passed = reasons.empty();
    result_.reason = reasons.empty() ? "" : reasons.front();
    return std::move(result_);
}

std::chrono::milliseconds Runner::connectTimeout() const {
    return std::chrono::milliseconds(
        static_cast<long>(10000 * std::max(1.0, settings_.timeout_scale)));
}

void Runner::qemuGone(Session &s, const std::string &before) const {
    auto status = s.qemu.poll();
    throw SetupError("QEMU exited with " + (status ? status->describe() : "?") + " before " +
                     before + "; end of " + (settings_.out_dir / "qemu.log").string() + ":" +
                     tailOf(settings_.out_dir / "qemu.log", 8));
}

void Runner::connectConsole(Session &s) const {
    UniqueFd stream = s.console_listener.accept(
        connectTimeout(), [&] { return SignalGuard::caught() != 0 || s.qemu.poll().has_value(); });
    if (!stream) {
        if (s.qemu.poll())
            qemuGone(s, "connecting its serial console");
        if (!SignalGuard::caught())
            throw SetupError("QEMU did not connect its serial console to " +
                             s.console_listener.path().string() + " within " +
                             std::to_string(connectTimeout().count()) + " ms");
        return;
    }
    s.console.emplace(std::move(stream), settings_.out_dir / "console.log");
}

void Runner::connectQmp(Session &s) const {
    try {
        s.qmp.emplace(s.qmp_socket, connectTimeout(),
                      [&] { return SignalGuard::caught() != 0 || s.qemu.poll().has_value(); });
    } catch (const QmpTransportError &e) {
        if (s.qemu.poll())
            qemuGone(s, "opening its QMP socket");
        if (!SignalGuard::caught())
            throw SetupError(std::string("QMP: ") + e.what());
    }
}

EndReason Runner::loop(Session &s) {
    const double timeout_s = scenario_.timeout_s * settings_.timeout_scale;
    std::optional<double> decided_at;
    for (;;) {
        if (SignalGuard::caught())
            return EndReason::Interrupted;
        if ((s.exit_status = s.qemu.poll()))
            return EndReason::GuestExit;
        const double now = elapsed(s);
        if (now >= s.schedule.nextDue()) {
            sample(s, now);
            s.schedule.sampled(now);
            runDueActions(s, now);
            recordQmpEvents(s);
            latest_ = evaluator_.evaluate(result_.record, now, false);
            // The outcome is settled once everything is decided or anything has failed; the
            // scenario may keep QEMU running a little longer for the chart.
            if (!decided_at && scenario_.end == EndPolicy::WhenDecided &&
                (allDecided(latest_) || anyFailed(latest_))) {
                decided_at = now;
                result_.decided_s = now;
                if (scenario_.linger_s > 0)
                    timeline_.note("decided; QEMU kept " + fixed(scenario_.linger_s, 1) +
                                   " s more");
            }
            if (decided_at && now >= *decided_at + scenario_.linger_s)
                return EndReason::Decided;
            if (now >= timeout_s)
                return decided_at ? EndReason::Decided : EndReason::Timeout;
            timeline_.tick(now, lastRss());
        }
        waitForInput(s);
    }
}

void Runner::sample(Session &s, double now) {
    std::optional<double> rss = s.sampler.rssMib();
    if (!rss)
        return;
    result_.record.samples.push_back({now, *rss, s.sampler.cpuSeconds()});
    if (sample_thp_ && now >= next_thp_) {
        next_thp_ = now + kThpEvery_s;
        if (auto thp = s.sampler.thpMib()) {
            result_.record.samples.back().anon_mib = thp->first;
            result_.record.samples.back().anon_huge_mib = thp->second;
        }
    }
}

// Sleeps in ppoll() until the next sample is due, handling console lines and QMP events the
// moment they arrive, so each is stamped with the time it was read.
void Runner::waitForInput(Session &s) {
    for (;;) {
        const double left = s.schedule.nextDue() - elapsed(s);
        if (left <= 0 || SignalGuard::caught())
            return;
        pollfd fds[2];
        nfds_t n = 0;
        const int console_fd = s.console ? s.console->fd() : -1;
        const int qmp_fd = s.qmp ? s.qmp->fd() : -1;
        if (console_fd >= 0)
            fds[n++] = {console_fd, POLLIN, 0};
        if (qmp_fd >= 0)
            fds[n++] = {qmp_fd, POLLIN, 0};
        const long ns = static_cast<long>(left * 1e9);
        timespec timeout{ns / 1000000000L, ns % 1000000000L};
        int ready = ::ppoll(fds, n, &timeout, nullptr);
        if (ready <= 0) // timed out (the sample is due) or a signal
            return;
        for (nfds_t i = 0; i < n; ++i) {
            if (!fds[i].revents)
                continue;
            if (fds[i].fd == console_fd)
                takeConsole(s, s.console->read(elapsed(s)), true);
            else if (fds[i].fd == qmp_fd)
                recordQmpEvents(s);
        }
        if (s.qemu.poll()) // QEMU closed its sockets: let the loop see the exit
            return;
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

void Runner::takeConsole(Session &s, ConsoleWatcher::Update update, bool fire_actions) {
    for (auto &line : update.lines)
        result_.record.console_lines.push_back(std::move(line));
    for (auto &m : update.markers) {
        timeline_.note(m.marker.text);
        s.schedule.marker(m.marker.event, m.t);
        result_.record.markers.push_back(std::move(m));
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
