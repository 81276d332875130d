// End-to-end tests with real QEMU (ctest label "qemu"). Skipped if QEMU is not installed.
// They use no Linux kernel: either QEMU paused with -S, or the fake multiboot guest from
// tests/fake_guest.s that prints markers and resets.
#include "qmp_client.h"
#include "raii.h"
#include "subprocess.h"
#include "text.h"

#include <csignal>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <thread>

namespace pr {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const char *kQemu = "qemu-system-x86_64";

bool processGone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

class QemuTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!findExecutable(kQemu))
            GTEST_SKIP() << kQemu << " not installed";
        std::filesystem::create_directories(scenarios());
    }

    std::filesystem::path scenarios() const { return dir_.path() / "scenarios"; }
    std::filesystem::path out() const { return dir_.path() / "out"; }

    void addScenario(json j) {
        std::ofstream(scenarios() / (j["name"].get<std::string>() + ".json")) << j.dump(2);
    }

    static json scenario(const std::string &name, const std::string &end) {
        return {{"name", name},     {"description", "test " + name},
                {"memory_mib", 64}, {"timeout_s", 30},
                {"end", end},       {"assertions", json::array()}};
    }

    void requireFakeGuest() {
        if (std::string(PR_FAKE_GUEST).empty() || !std::filesystem::exists(PR_FAKE_GUEST))
            GTEST_SKIP() << "fake guest not built (needs binutils)";
        std::ofstream(dir_.path() / "initrd") << "unused";
    }

    std::vector<std::string> runArgs(const std::string &name, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {PR_RUNNER_BIN, "run",         "--scenario",
                                         name,          "--scenarios", scenarios().string(),
                                         "--out",       out().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    // TCG unless `accel` says otherwise: "auto" would probe KVM for every run.
    std::vector<std::string> fakeGuestArgs(const std::string &name,
                                           const std::string &accel = "tcg") {
        return runArgs(name,
                       {"--kernel", PR_FAKE_GUEST, "--initrd", (dir_.path() / "initrd").string(),
                        "--label", "fake", "--accel", accel});
    }

    // Runs pr-runner to completion; returns its status, output in output_.
    ExitStatus run(const std::vector<std::string> &args) {
        Subprocess p({args, dir_.path() / "runner.log"});
        auto st = p.wait(60s);
        output_ = slurp(dir_.path() / "runner.log");
        EXPECT_TRUE(st) << "pr-runner hung:\n" << output_;
        return st.value_or(ExitStatus{true, SIGKILL});
    }

    json result() const { return json::parse(slurp(out() / "result.json")); }

    TempDir dir_;
    std::string output_;
};

TEST_F(QemuTest, AccelPrintsTheChoiceAndWhy) {
    ExitStatus st = run({PR_RUNNER_BIN, "accel"});
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    std::string first = output_.substr(0, output_.find('\n'));
    EXPECT_TRUE(first == "tcg" || first == "kvm") << output_;
    EXPECT_GT(output_.size(), first.size() + 2) << "no reason given: " << output_;
}

TEST_F(QemuTest, QmpQueryStatusAndQuitReapsQemu) {
    auto sock = dir_.path() / "qmp.sock";
    Subprocess qemu(
        {{kQemu, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg", "-display",
          "none", "-S", "-qmp", "unix:" + sock.string() + ",server=on,wait=off"},
         dir_.path() / "qemu.log"});
    pid_t pid = qemu.pid();
    {
        QmpClient qmp(sock, 10s, [&] { return qemu.poll().has_value(); });
        json status = qmp.execute("query-status");
        EXPECT_EQ(status["running"], false) << status.dump();
        qmp.execute("quit");
    }
    auto st = qemu.wait(10s);
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->success()) << st->describe();
    EXPECT_TRUE(processGone(pid));
}

TEST_F(QemuTest, FakeGuestPassesAndPowersOff) {
    requireFakeGuest();
    json s = scenario("fake-pass", "guest-exit");
    s["actions"] = json::parse(R"([{"on_marker": "ready", "qmp": {"execute": "query-status"}}])");
    s["assertions"] = json::parse(R"([
        {"kind": "marker", "event": "result", "words": ["pass"]},
        {"kind": "value", "name": "answer", "min": 40, "max": 50},
        {"kind": "marker", "event": "done"},
        {"kind": "no_console_match", "regex": "BUG:|Kernel panic"}
    ])");
    addScenario(s);
    ExitStatus st = run(fakeGuestArgs("fake-pass", "auto")); // KVM only if it really works
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    EXPECT_NE(output_.find("\nPASS fake-pass\n"), std::string::npos) << output_;
    EXPECT_NE(output_.find("PASS  value answer in [40, 50]: answer = 42"), std::string::npos)
        << output_;

    json r = result();
    EXPECT_EQ(r["outcome"], "pass");
    EXPECT_EQ(r["end_reason"], "guest-exit");
    EXPECT_EQ(r["label"], "fake");
    EXPECT_EQ(r["qemu_exit"], "exit code 0");
    EXPECT_TRUE(r["accel"] == "tcg" || r["accel"] == "kvm") << r["accel"];
    EXPECT_FALSE(r["accel_reason"].get<std::string>().empty());
    EXPECT_NE(output_.find("pr-runner: -accel " + r["accel"].get<std::string>() + " ("),
              std::string::npos)
        << output_;
    // The oops check every scenario gets, after its own assertions.
    EXPECT_EQ(r["assertions"].back()["description"],
              "no console line matches /BUG:|WARNING:|Oops:|Kernel panic|Call Trace:|memory "
              "corruption/");
    std::vector<std::string> events;
    double last_t = 0;
    for (const auto &m : r["markers"]) {
        events.push_back(m["event"]);
        EXPECT_GE(m["t"].get<double>(), last_t);
        last_t = m["t"];
    }
    EXPECT_EQ(events, (std::vector<std::string>{"boot", "ready", "value", "result", "done"}));
    ASSERT_EQ(r["actions"].size(), 1u);
    EXPECT_EQ(r["actions"][0]["return"]["running"], true);
    EXPECT_GT(r["rss"]["samples"].get<int>(), 10);
    EXPECT_GE(r["rss"]["rate_hz"].get<double>(), 10.0);
    EXPECT_NE(slurp(out() / "rss.tsv").find("# marker "), std::string::npos);
    // The runner wrote the console as it read it from QEMU's socket.
    EXPECT_EQ(slurp(out() / "console.log").rfind("fake guest: hello\r\n@@PR boot\r\n", 0), 0u);
    EXPECT_NE(slurp(out() / "console.log").find("@@PR done\r\n"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(out() / "console.sock"));
    if (findExecutable("gnuplot")) {
        EXPECT_TRUE(std::filesystem::exists(out() / "rss.png"));
    }
    EXPECT_TRUE(processGone(r["qemu_pid"].get<int>()));
}

// An action with delay_s is sent that long after its marker; one still waiting when the
// guest exits is never sent, and its expect checks say so.
TEST_F(QemuTest, DelayedActionsAreSentLaterOrNever) {
    requireFakeGuest();
    json s = scenario("fake-delay", "guest-exit");
    s["actions"] = json::parse(R"([
        {"on_marker": "ready", "delay_s": 0.4, "qmp": {"execute": "query-status"}},
        {"on_marker": "ready", "qmp": {"execute": "query-name"}},
        {"on_marker": "ready", "delay_s": 600, "qmp": {"execute": "query-uuid"},
         "expect": [{"pointer": "/UUID"}]}
    ])");
    addScenario(s);
    ExitStatus st = run(fakeGuestArgs("fake-delay"));
    EXPECT_EQ(st.describe(), "exit code 1") << output_;
    EXPECT_NE(output_.find("the action never ran"), std::string::npos) << output_;

    json r = result();
    double ready_t = -1;
    for (const auto &m : r["markers"])
        if (m["event"] == "ready")
            ready_t = m["t"];
    ASSERT_GE(ready_t, 0) << r.dump(2);
    ASSERT_EQ(r["actions"].size(), 2u) << r.dump(2);
    EXPECT_EQ(r["actions"][0]["execute"], "query-name");
    EXPECT_EQ(r["actions"][1]["execute"], "query-status");
    EXPECT_EQ(r["actions"][1]["return"]["running"], true);
    EXPECT_GE(r["actions"][1]["t"].get<double>(), ready_t + 0.4);
    EXPECT_LT(r["actions"][0]["t"].get<double>(), ready_t + 0.4);
}

TEST_F(QemuTest, WhenDecidedQuitsEarlyAndReportsFailures) {
    requireFakeGuest();
    json s = scenario("fake-fail", "when-decided");
    s["actions"] = json::parse(
        R"([{"on_marker": "ready", "qmp": {"execute": "no-such-command", "arguments": {"x": 1}}}])");
    s["assertions"] = json::parse(R"([
        {"kind": "marker", "event": "result", "words": ["pass"]},
        {"kind": "value", "name": "answer", "min": 100}
    ])");
    addScenario(s);
    ExitStatus st = run(fakeGuestArgs("fake-fail"));
    EXPECT_EQ(st.describe(), "exit code 1") << output_;
    EXPECT_NE(
        output_.find("FAIL fake-fail: value answer >= 100: answer = 42, below the minimum 100"),
        std::string::npos)
        << output_;
    EXPECT_NE(output_.find("FAIL  action no-such-command on 'ready': QMP command 'no-such-command' "
                           "failed: CommandNotFound"),
              std::string::npos)
        << output_;
    json r = result();
    EXPECT_EQ(r["end_reason"], "decided");
    for (const auto &m : r["markers"])
        EXPECT_NE(m["event"], "done") << "QEMU should have been stopped before the guest finished";
    EXPECT_TRUE(processGone(r["qemu_pid"].get<int>()));
}

TEST_F(QemuTest, NoAssertionsWhenDecidedQuitsAtOnce) {
    addScenario(scenario("idle", "when-decided"));
    ExitStatus st = run(runArgs("idle", {"--no-kernel", "--quiet", "--accel", "tcg"}));
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    EXPECT_EQ(result()["end_reason"], "decided");
    EXPECT_EQ(result()["qemu_exit"], "exit code 0");
}

TEST_F(QemuTest, TimeoutFailsAndKillsQemu) {
    json s = scenario("hang", "guest-exit");
    s["timeout_s"] = 2;
    s["assertions"] = json::parse(R"([{"kind": "marker", "event": "result"}])");
    addScenario(s);
    ExitStatus st =
        run(runArgs("hang", {"--no-kernel", "--timeout-scale", "0.5", "--accel", "tcg"}));
    EXPECT_EQ(st.describe(), "exit code 1") << output_;
    EXPECT_NE(output_.find("FAIL hang: timed out after 1."), std::string::npos) << output_;
    EXPECT_NE(output_.find("still pending: marker 'result' (waiting for marker 'result')"),
              std::string::npos)
        << output_;
    json r = result();
    EXPECT_EQ(r["end_reason"], "timeout");
    EXPECT_TRUE(processGone(r["qemu_pid"].get<int>()));
}

TEST_F(QemuTest, SigintStopsQemuWritesResultsAndDiesBySigint) {
    addScenario(scenario("wait", "guest-exit"));
    Subprocess runner(
        {runArgs("wait", {"--no-kernel", "--accel", "tcg"}), dir_.path() / "runner.log"});
    for (int i = 0;
         i < 1000 && slurp(dir_.path() / "runner.log").find("QEMU pid") == std::string::npos; ++i)
        std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(1200ms); // into the main loop
    ASSERT_EQ(::kill(runner.pid(), SIGINT), 0);
    auto st = runner.wait(10s);
    ASSERT_TRUE(st) << "runner did not stop on SIGINT";
    output_ = slurp(dir_.path() / "runner.log");
    EXPECT_TRUE(st->signaled && st->code == SIGINT) << st->describe() << "\n" << output_;
    EXPECT_NE(output_.find("FAIL wait: interrupted by SIGINT"), std::string::npos) << output_;
    json r = result();
    EXPECT_EQ(r["end_reason"], "interrupted (SIGINT)");
    EXPECT_TRUE(processGone(r["qemu_pid"].get<int>()));
}

TEST_F(QemuTest, BenchAlternatesKernelsAndRecordsFailedRuns) {
    requireFakeGuest();
    json measured = scenario("fake-bench", "guest-exit");
    measured["tags"] = {"bench"};
    measured["assertions"] =
        json::parse(R"([{"kind": "value", "name": "answer", "min": 40, "max": 50}])");
    addScenario(measured);
    json drain = scenario("fake-drain", "guest-exit"); // the fake guest never frees anything
    drain["assertions"] = json::parse(R"([{"kind": "rss_returned", "from_marker": "touch-begin",
        "peak_marker": "freed", "fraction": 0.9, "within_s": 5}])");
    addScenario(drain);
    std::string kernel = std::string(PR_FAKE_GUEST) + ":" + (dir_.path() / "initrd").string();
    ExitStatus st = run({PR_RUNNER_BIN, "bench", "--kernels", "a=" + kernel + ",b=" + kernel,
                         "--scenarios", "fake-bench,fake-drain", "--repeat", "2", "--scenario-dir",
                         scenarios().string(), "--out", out().string(), "--accel", "tcg"});
    EXPECT_EQ(st.describe(), "exit code 1") << output_; // fake-drain gave no figures
    EXPECT_NE(output_.find("[1/8] fake-bench rep 1 a: pass"), std::string::npos) << output_;
    EXPECT_NE(output_.find("[3/8] fake-bench rep 2 b: pass"), std::string::npos) << output_;
    EXPECT_NE(output_.find("[8/8] fake-drain rep 2 a: fail"), std::string::npos) << output_;
    EXPECT_NE(output_.find("42.0  42.0  1.00  2  42.0 42.0  42.0 42.0\n"), std::string::npos)
        << output_;

    json b = json::parse(slurp(out() / "bench.json"));
    EXPECT_EQ(b["complete"], true);
    EXPECT_EQ(b["host"]["accel"], "tcg");
    EXPECT_EQ(b["host"]["accel_reason"], "--accel tcg");
    std::vector<std::string> order;
    for (const auto &r : b["runs"])
        order.push_back(r["kernel"]);
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "b", "a", "a", "b", "b", "a"}));
    EXPECT_EQ(b["runs"][0]["figures"]["answer"]["value"], 42.0);
    EXPECT_EQ(b["runs"][4]["outcome"], "fail");
    EXPECT_EQ(b["runs"][4]["figures"]["return_s"]["value"], nullptr);
    EXPECT_EQ(b["runs"][4]["figures"]["return_s"]["note"], "never saw marker 'touch-begin'");
    EXPECT_EQ(b["summary"][0]["median"]["b"]["value"], 42.0);
    EXPECT_EQ(b["summary"][0]["ratio"]["value"], 1.0);
    EXPECT_TRUE(std::filesystem::exists(out() / "runs/fake-bench/2-b/result.json"));
    std::string md = slurp(out() / "bench.md");
    EXPECT_NE(md.find("| fake-bench | answer | 42.0 | 42.0 | 1.00 | 2 | 42.0 42.0 | 42.0 42.0 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("- fake-drain rep 1 a (fail, `runs/fake-drain/1-a`): "), std::string::npos)
        << md;
    for (const auto &r : b["runs"])
        EXPECT_TRUE(processGone(
            json::parse(slurp(out() / r["dir"].get<std::string>() / "result.json"))["qemu_pid"]
                .get<int>()));
}

// Markers are stamped as they are read, and RSS is sampled every 5 ms for 10 s after the
// peak marker of a return measurement.
TEST_F(QemuTest, MarkersOnArrivalAndFastSamplingAfterAPeakMarker) {
    requireFakeGuest();
    json s = scenario("fake-fast", "guest-exit");
    s["assertions"] = json::parse(R"([{"kind": "rss_returned_within", "from_marker": "boot",
        "peak_marker": "ready", "within_s": 0.3, "min_growth_mib": 0}])");
    addScenario(s);
    ExitStatus st = run(fakeGuestArgs("fake-fast"));
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    EXPECT_NE(output_.find("  timing: markers stamped on arrival; RSS sampled every 5 ms for 10 s "
                           "after 'ready', else every 50 ms\n"),
              std::string::npos)
        << output_;
    json r = result();
    std::map<std::string, double> t;
    for (const auto &m : r["markers"])
        t[m["event"]] = m["t"];
    ASSERT_EQ(t.size(), 5u) << r.dump(2);
    ASSERT_EQ(r["rss"]["periods"].size(), 2u) << r["rss"].dump();
    EXPECT_EQ(r["rss"]["periods"][0]["period_ms"], 50.0);
    EXPECT_DOUBLE_EQ(r["rss"]["periods"][1]["from_s"].get<double>(), t["ready"]);
    EXPECT_DOUBLE_EQ(r["rss"]["periods"][1]["period_ms"].get<double>(), 5.0);
    // About 1.3 s from 'ready' to 'done' at 200 Hz; 20 Hz would give some 26 samples.
    int fast = 0;
    std::istringstream tsv(slurp(out() / "rss.tsv"));
    for (std::string line; std::getline(tsv, line);) {
        double at;
        if (!line.empty() && line[0] != '#' && std::istringstream(line) >> at && at > t["ready"] &&
            at < t["done"])
            ++fast;
    }
    EXPECT_GT(fast, 60) << "samples between 'ready' and 'done'";
}

// linger_s keeps QEMU running after the outcome is decided: the guest's later markers are
// recorded, and the run still passes as decided.
TEST_F(QemuTest, LingerKeepsQemuRunningAfterTheDecision) {
    requireFakeGuest();
    json s = scenario("fake-linger", "when-decided");
    s["linger_s"] = 1.0;
    s["assertions"] = json::parse(R"([{"kind": "marker", "event": "ready"}])");
    addScenario(s);
    ExitStatus st = run(fakeGuestArgs("fake-linger"));
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    json r = result();
    EXPECT_EQ(r["end_reason"], "decided");
    EXPECT_EQ(r["linger_s"], 1.0);
    double ready_t = -1;
    bool saw_result = false;
    for (const auto &m : r["markers"]) {
        if (m["event"] == "ready")
            ready_t = m["t"];
        saw_result = saw_result || m["event"] == "result";
    }
    ASSERT_GE(ready_t, 0);
    EXPECT_TRUE(saw_result) << "the marker 0.7 s after 'ready' came while QEMU lingered";
    EXPECT_GE(r["decided_s"].get<double>(), ready_t);
    EXPECT_GE(r["duration_s"].get<double>(), r["decided_s"].get<double>() + 1.0);
    EXPECT_NE(output_.find(" s (QEMU kept 1.0 s more)"), std::string::npos) << output_;
}

TEST_F(QemuTest, ListByTagAndPlotAlignedWithSummary) {
    requireFakeGuest();
    json a = scenario("fake-a", "guest-exit");
    a["tags"] = {"check", "check@base", "bench"};
    a["bench_order"] = 2;
    json b = scenario("fake-b", "guest-exit");
    b["tags"] = {"stress@ours-debug", "bench"};
    b["bench_order"] = 1;
    b["assertions"] = json::parse(R"([{"kind": "rss_returned", "from_marker": "boot",
        "peak_marker": "ready", "fraction": 0.5, "within_s": 0.5, "min_growth_mib": 0}])");
    addScenario(a);
    addScenario(b);
    auto list = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {PR_RUNNER_BIN, "list", "--scenarios",
                                         scenarios().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    EXPECT_EQ(run(list({"--tag", "check"})).describe(), "exit code 0");
    EXPECT_EQ(output_, "fake-a@ours\nfake-a@base\n");
    EXPECT_EQ(run(list({"--tag", "bench"})).describe(), "exit code 0");
    EXPECT_EQ(output_, "fake-b@ours\nfake-a@ours\n"); // by bench_order
    EXPECT_EQ(run(list({"--tag", "stress"})).describe(), "exit code 0");
    EXPECT_EQ(output_, "fake-b@ours-debug\n");
    EXPECT_EQ(run(list({"--tag", "nope"})).code, 2);
    EXPECT_NE(output_.find("no scenario in " + scenarios().string() +
                           " is tagged 'nope' (suites tagged there: bench, check, stress)"),
              std::string::npos)
        << output_;
    EXPECT_EQ(run(list({"--markdown"})).describe(), "exit code 0");
    EXPECT_NE(output_.find("| `fake-a` | check, check@base, bench | test fake-a |\n"),
              std::string::npos)
        << output_;

    // Two runs of fake-b, charted on 'ready' with their returns.
    for (const std::string label : {"one", "two"}) {
        auto args = runArgs("fake-b", {"--kernel", PR_FAKE_GUEST, "--initrd",
                                       (dir_.path() / "initrd").string(), "--label", label,
                                       "--accel", "tcg", "--quiet"});
        args[std::find(args.begin(), args.end(), "--out") - args.begin() + 1] =
            (dir_.path() / label).string();
        run(args);
    }
    auto png = dir_.path() / "cmp.png";
    ExitStatus st =
        run({PR_RUNNER_BIN, "plot", "--out", png.string(), "--align", "ready", "--summary",
             (dir_.path() / "one").string(), (dir_.path() / "two").string()});
    EXPECT_EQ(st.describe(), "exit code 0") << output_;
    EXPECT_EQ(output_.rfind("one: ", 0), 0u) << output_;
    EXPECT_NE(output_.find("\ntwo: "), std::string::npos) << output_;
    EXPECT_NE(output_.find("wrote " + png.string()), std::string::npos) << output_;
    std::string gp = slurp(dir_.path() / "cmp.gp");
    EXPECT_NE(gp.find("set xlabel 'seconds since ''ready'''"), std::string::npos) << gp;
    EXPECT_NE(gp.find("set label 'one: result' at 0."), std::string::npos) << gp;
    EXPECT_NE(gp.find("set label 'one: ready' at 0.000"), std::string::npos) << gp;
    EXPECT_EQ(gp.find("value"), std::string::npos) << gp;
    EXPECT_NE(gp.find("set xrange [*:"), std::string::npos) << gp;

    EXPECT_EQ(run({PR_RUNNER_BIN, "plot", "--out", png.string(), "--align", "nope",
                   (dir_.path() / "one").string()})
                  .code,
              2);
    EXPECT_NE(output_.find("has no marker 'nope' to align on"), std::string::npos) << output_;
}

TEST_F(QemuTest, SetupErrorsExit2WithoutStartingQemu) {
    addScenario(scenario("known", "guest-exit"));
    std::ofstream(dir_.path() / "initrd") << "x";
    std::string initrd = (dir_.path() / "initrd").string();

    EXPECT_EQ(run(runArgs("nope", {"--kernel", initrd, "--initrd", initrd})).code, 2);
    EXPECT_NE(output_.find("unknown scenario 'nope'; known scenarios: known"), std::string::npos)
        << output_;
    EXPECT_EQ(run(runArgs("known", {"--kernel", "/no/bzImage", "--initrd", initrd})).code, 2);
    EXPECT_NE(output_.find("kernel /no/bzImage does not exist"), std::string::npos) << output_;
    EXPECT_EQ(
        run(runArgs("known", {"--kernel", initrd, "--initrd", initrd, "--qemu", "no-such-qemu"}))
            .code,
        2);
    EXPECT_NE(output_.find("QEMU binary 'no-such-qemu' not found in PATH"), std::string::npos)
        << output_;
    EXPECT_EQ(run(runArgs("known", {"--kernel", initrd, "--initrd", initrd, "--frob"})).code, 2);
    EXPECT_NE(output_.find("unknown option '--frob'"), std::string::npos) << output_;
    EXPECT_FALSE(std::filesystem::exists(out() / "console.log"));
}

} // namespace
} // namespace pr
