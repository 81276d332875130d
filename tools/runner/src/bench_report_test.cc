#include "bench_report.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

Figure fig(const std::string &key, std::optional<Sample> v, const std::string &note = "") {
    return {key, key + " (s)", v, note};
}

BenchRun run(std::size_t scenario, int rep, std::size_t kernel, std::vector<Figure> figures,
             std::string outcome = "pass", std::string reason = "") {
    BenchRun r;
    r.scenario = scenario;
    r.repetition = rep;
    r.kernel = kernel;
    r.dir = "runs/x/" + std::to_string(rep) + "-" + std::to_string(kernel);
    r.outcome = std::move(outcome);
    r.reason = std::move(reason);
    r.figures = std::move(figures);
    return r;
}

BenchData data() {
    BenchData d;
    d.kernels = {{"base", "/b/bzImage", "/b/initrd"}, {"ours", "/o/bzImage", "/o/initrd"}};
    d.scenarios = {{"bench-drain-1g", "drain", "-m 1024 -smp 1"},
                   {"bench-churn-1cpu", "churn", "-m 1024 -smp 1"}};
    d.repeat = 3;
    d.planned_runs = 12;
    d.host = {2, "Test CPU", 23.5, "Linux 6.1", "QEMU emulator version 7.2.22"};
    d.started_at = "2025-01-01T00:00:00Z";
    d.finished_at = "2025-01-01T00:20:00Z";
    d.load_start = "0.10 0.20 0.30";
    d.load_end = "1.00 0.50 0.40";
    auto drain = [](double ret, bool lb) {
        return std::vector<Figure>{fig("return_s", Sample{ret, lb}),
                                   fig("qemu_cpu_s", Sample{1, false})};
    };
    // Order as run: base ours, ours base, base ours.
    d.runs = {
        run(0, 1, 0, drain(7.2, false)),
        run(0, 1, 1, drain(0.35, false)),
        run(0, 2, 1, drain(0.30, false)),
        run(0, 2, 0, drain(60, true), "fail", "only returned 90 %"),
        run(0, 3, 0, drain(6.9, false)),
        run(0, 3, 1, drain(0.40, false)),
        run(1, 1, 0, {fig("churn_ms", Sample{5000, false})}),
        run(1, 1, 1, {fig("churn_ms", std::nullopt, "QEMU crashed")}, "error", "QEMU crashed"),
        run(1, 2, 1, {fig("churn_ms", Sample{5400, false})}),
        run(1, 2, 0, {fig("churn_ms", Sample{5100, false})})};
    return d;
}

TEST(BenchReportTest, Summarize) {
    auto rows = summarize(data());
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].scenario, "bench-drain-1g");
    EXPECT_EQ(rows[0].key, "return_s");
    ASSERT_EQ(rows[0].raw.size(), 2u);
    ASSERT_EQ(rows[0].raw[0].size(), 3u);
    EXPECT_DOUBLE_EQ(rows[0].raw[0][1]->value, 60); // in run order
    EXPECT_TRUE(rows[0].raw[0][1]->lower_bound);
    EXPECT_DOUBLE_EQ(rows[0].medians[0]->value, 7.2);
    EXPECT_FALSE(rows[0].medians[0]->lower_bound);
    EXPECT_DOUBLE_EQ(rows[0].medians[1]->value, 0.35);
    EXPECT_NEAR(rows[0].ratio->value, 0.35 / 7.2, 1e-12);
    EXPECT_EQ(rows[1].key, "qemu_cpu_s");
    EXPECT_EQ(rows[2].key, "churn_ms");
    EXPECT_EQ(rows[2].raw[1].size(), 2u);
    EXPECT_FALSE(rows[2].raw[1][0]);
    EXPECT_DOUBLE_EQ(rows[2].medians[0]->value, 5050);
    EXPECT_DOUBLE_EQ(rows[2].medians[1]->value, 5400);
}

TEST(BenchReportTest, AlignColumns) {
    EXPECT_EQ(alignColumns({{"a", "bb", "c"}, {"ccc", "d", ""}}), "a    bb  c\nccc  d\n");
}

TEST(BenchReportTest, TableText) {
    BenchData d = data();
    std::string t = tableText(d, summarize(d));
    EXPECT_EQ(t.substr(0, t.find('\n')),
              "scenario          figure          base  ours   ours/base  n    base runs        "
              "ours runs");
    EXPECT_NE(t.find("bench-drain-1g    return_s (s)    7.20  0.350  0.0486     3    7.20 >60.0 "
                     "6.90  0.350 0.300 0.400\n"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("bench-churn-1cpu  churn_ms (s)    5050  5400   1.07       2/1  5000 5100"
                     "        - 5400\n"),
              std::string::npos)
        << t;
}

TEST(BenchReportTest, Markdown) {
    BenchData d = data();
    std::string md = markdownReport(d, summarize(d));
    EXPECT_NE(md.find("# Page reporting benchmark: base vs ours\n"), std::string::npos);
    EXPECT_NE(md.find("| scenario | figure | base median | ours median | ours/base | n | base runs "
                      "| ours runs |\n| --- | --- | --: | --: | --: | --: | --- | --- |\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| bench-drain-1g | return_s (s) | 7.20 | 0.350 | 0.0486 | 3 | 7.20 >60.0 "
                      "6.90 | 0.350 0.300 0.400 |\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("- bench-drain-1g rep 2 base (fail, `runs/x/2-0`): only returned 90 %\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("- bench-churn-1cpu rep 1 ours (error, `runs/x/1-1`): QEMU crashed\n"),
              std::string::npos);
    EXPECT_NE(md.find("- Machine: 2 CPUs (nproc), Test CPU, 23.5 GiB RAM, Linux 6.1.\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("QEMU emulator version 7.2.22; TCG"), std::string::npos);
    EXPECT_NE(md.find("(base ours, ours base, base ours)"), std::string::npos);
    EXPECT_NE(
        md.find("- Date: 2025-01-01T00:00:00Z to 2025-01-01T00:20:00Z (UTC). Host load "
                "average (1/5/15 min) 0.10 0.20 0.30 at the start, 1.00 0.50 0.40 at the end"),
        std::string::npos)
        << md;
    EXPECT_EQ(md.find("Incomplete"), std::string::npos);
    d.finished_at.clear();
    md = markdownReport(d, summarize(d));
    EXPECT_NE(md.find("**Incomplete**: 10 of 12 runs done."), std::string::npos);
}

// Drain runs with the figures extractFigures gives (bench_figures.h), 1 repetition.
BenchData drainData() {
    BenchData d = data();
    d.scenarios = {{"bench-drain-1g", "drain", "-m 1024", 1024}};
    d.repeat = 1;
    d.planned_runs = 2;
    auto drain = [](double ret, double mib, double cpu) {
        return std::vector<Figure>{
            {"return_s", "return 95 % (s)", Sample{ret, false}, ""},
            {"returned_mib", "returned (MiB)", Sample{mib, false}, ""},
            {"qemu_cpu_s", "QEMU CPU 'freed'->return (s)", Sample{cpu, false}, ""},
            {"qemu_cpu_s_per_gib", "QEMU CPU per GiB returned (s/GiB)",
             cpuPerGib(Sample{cpu, false}, mib), ""}};
    };
    d.runs = {run(0, 1, 0, drain(8.75, 720, 0.09)), run(0, 1, 1, drain(0.25, 766, 0.02))};
    return d;
}

TEST(BenchReportTest, DrainCpuPerGibRow) {
    BenchData d = drainData();
    auto rows = summarize(d);
    ASSERT_EQ(rows.size(), 4u); // one row more per drain scenario, after its CPU row
    EXPECT_EQ(rows[2].key, "qemu_cpu_s");
    EXPECT_EQ(rows[3].key, "qemu_cpu_s_per_gib");
    std::string t = tableText(d, rows);
    EXPECT_NE(t.find("scenario        figure                             base    ours    "
                     "ours/base  n  base runs  ours runs\n"),
              std::string::npos)
        << t;
    EXPECT_NE(
        t.find("bench-drain-1g  QEMU CPU 'freed'->return (s)       0.0900  0.0200  0.222      "
               "1  0.0900     0.0200\n"
               "bench-drain-1g  QEMU CPU per GiB returned (s/GiB)  0.128   0.0267  0.209      "
               "1  0.128      0.0267\n"),
        std::string::npos)
        << t;
    std::string md = markdownReport(d, rows);
    EXPECT_NE(md.find("| bench-drain-1g | QEMU CPU per GiB returned (s/GiB) | 0.128 | 0.0267 | "
                      "0.209 | 1 | 0.128 | 0.0267 |\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("  - *QEMU CPU per GiB returned (s/GiB)*: that CPU time divided by the GiB "
                      "returned (returned MiB / 1024). Under TCG the guest's vCPUs are threads of "
                      "QEMU, so all guest CPU time is QEMU CPU time"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("madvise"), std::string::npos);
    EXPECT_NE(md.find("- Scaling chart (`bench-scaling.png`, script `bench-scaling.gp`): for the "
                      "drain scenarios of this bench (guest sizes 1 GiB), each kernel's median "
                      "*return 95 % (s)* (log scale)"),
              std::string::npos)
        << md;
    auto j = benchJson(d, rows);
    EXPECT_EQ(j["scenarios"][0]["memory_mib"], 1024);
    ASSERT_EQ(j["scaling"].size(), 1u);
    EXPECT_EQ(j["scaling"][0]["guest_gib"], 1.0);
    EXPECT_EQ(j["scaling"][0]["return_s"]["ours"]["value"], 0.25);
    EXPECT_NEAR(j["scaling"][0]["qemu_cpu_s_per_gib"]["base"]["value"].get<double>(), 0.128, 1e-3);
}

TEST(BenchReportTest, NoScalingChartWithoutDrainScenarios) {
    BenchData d = data();
    d.scenarios[0].name = "bench-fragment"; // no size in the name, no memory_mib
    auto rows = summarize(d);
    EXPECT_EQ(markdownReport(d, rows).find("Scaling chart"), std::string::npos);
    EXPECT_TRUE(benchJson(d, rows)["scaling"].empty());
}

TEST(BenchReportTest, TradeoffChartAndJson) {
    BenchData d = data();
    EXPECT_EQ(markdownReport(d, summarize(d)).find("Trade-off chart"), std::string::npos);
    EXPECT_TRUE(benchJson(d, summarize(d))["tradeoff"].empty());

    d.scenarios = {{"bench-burst-1s", "burst", "-m 1024", 1024},
                   {"bench-burst-1s-noreport", "burst", "-m 1024", 1024}};
    d.repeat = 1;
    d.planned_runs = 4;
    auto burst = [](double ms, double mean_mib) {
        return std::vector<Figure>{
            {"burst_ms", "burst_ms", Sample{ms, false}, ""},
            {"given_back_mean_mib", "mean given back (MiB)", Sample{mean_mib, false}, ""}};
    };
    d.runs = {run(0, 1, 0, burst(130, 20)), run(0, 1, 1, burst(102, 310)),
              run(1, 1, 1, burst(100, 0)), run(1, 1, 0, burst(100, 0))};
    auto rows = summarize(d);
    std::string md = markdownReport(d, rows);
    EXPECT_NE(md.find("- Trade-off chart (`bench-tradeoff.png`, script `bench-tradeoff.gp`): for "
                      "the bursty churn scenarios of this bench that have a `-noreport` twin "
                      "(settings 1s), one point per kernel and setting: x = the churn cost, the "
                      "kernel's median *burst_ms* with free page reporting over its median "
                      "*burst_ms* of the `-noreport` scenario (1.0 = free; dashed line: the goal "
                      "of 1.05x); y = its median *mean given back* (MiB)"),
              std::string::npos)
        << md;
    EXPECT_LT(md.find("Trade-off chart"), md.find("- Medians:"));
    auto j = benchJson(d, rows);
    ASSERT_EQ(j["tradeoff"].size(), 2u);
    EXPECT_EQ(j["tradeoff"][0]["scenario"], "bench-burst-1s");
    EXPECT_EQ(j["tradeoff"][0]["setting"], "1s");
    EXPECT_EQ(j["tradeoff"][0]["kernel"], "base");
    EXPECT_DOUBLE_EQ(j["tradeoff"][0]["cost_ratio"].get<double>(), 1.3);
    EXPECT_EQ(j["tradeoff"][0]["given_back_mib"], 20.0);
    EXPECT_EQ(j["tradeoff"][1]["kernel"], "ours");
    EXPECT_DOUBLE_EQ(j["tradeoff"][1]["cost_ratio"].get<double>(), 1.02);
    EXPECT_EQ(j["tradeoff"][1]["given_back_mib"], 310.0);
}

TEST(BenchReportTest, AcceleratorAndTiming) {
    BenchData d = data();
    d.accel_reason =
        "KVM not usable: a probe guest under -accel kvm printed nothing within 5000 ms";
    d.timing = "markers stamped on arrival; RSS sampled every 5 ms for 10 s after 'freed', else "
               "every 50 ms";
    auto rows = summarize(d);
    std::string md = markdownReport(d, rows);
    EXPECT_NE(
        md.find("- QEMU: QEMU emulator version 7.2.22; TCG (`-accel tcg`; KVM not usable: a "
                "probe guest under -accel kvm printed nothing within 5000 ms), `-machine pc`; "
                "host RSS of the QEMU process from /proc/PID/status, its CPU time from "
                "/proc/PID/stat; markers stamped on arrival; RSS sampled every 5 ms for 10 s "
                "after 'freed', else every 50 ms.\n"),
        std::string::npos)
        << md;
    EXPECT_NE(md.find("`-`: the run produced no value. Timing: markers stamped on arrival; RSS "
                      "sampled every 5 ms"),
              std::string::npos)
        << md;
    std::string t = tableText(d, rows);
    EXPECT_NE(t.find("\"-\": no value (see bench.md); markers stamped on arrival; RSS sampled "
                     "every 5 ms for 10 s after 'freed', else every 50 ms\n"),
              std::string::npos)
        << t;

    d.accel = "kvm";
    d.accel_reason = "KVM: a probe guest ran to its end under -accel kvm";
    d.scenarios[0].accel = "kvm";
    d.scenarios[1].accel = "tcg"; // an -icount scenario
    md = markdownReport(d, rows);
    EXPECT_NE(md.find("; KVM (`-accel kvm`; KVM: a probe guest ran to its end under -accel kvm), "
                      "except `bench-churn-1cpu` under TCG (-icount needs it), `-machine pc`"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("Under KVM the guest's vCPUs are threads of QEMU"), std::string::npos);
    EXPECT_EQ(md.find("TCG guest"), std::string::npos);
    auto j = benchJson(d, rows);
    EXPECT_EQ(j["host"]["accel"], "kvm");
    EXPECT_EQ(j["host"]["accel_reason"], "KVM: a probe guest ran to its end under -accel kvm");
    EXPECT_EQ(j["scenarios"][1]["accel"], "tcg");
    EXPECT_EQ(j["timing"], d.timing);
}

TEST(BenchReportTest, Json) {
    BenchData d = data();
    auto j = benchJson(d, summarize(d));
    EXPECT_EQ(j["complete"], true);
    EXPECT_EQ(j["order"], "base ours, ours base, base ours");
    EXPECT_EQ(j["runs"].size(), 10u);
    EXPECT_EQ(j["runs"][3]["figures"]["return_s"]["lower_bound"], true);
    EXPECT_EQ(j["runs"][7]["figures"]["churn_ms"]["value"], nullptr);
    EXPECT_EQ(j["runs"][7]["figures"]["churn_ms"]["note"], "QEMU crashed");
    EXPECT_EQ(j["summary"][0]["median"]["base"]["value"], 7.2);
    EXPECT_EQ(j["summary"][0]["ratio"]["bound"], "exact");
    EXPECT_EQ(j["summary"][2]["n"]["ours"], 1);
    EXPECT_EQ(j["summary"][2]["runs"]["ours"][0], nullptr);
    EXPECT_EQ(j["host"]["accel"], "tcg");
}

TEST(BenchPlanTest, AlternatesAndFlipsEachRepetition) {
    auto order = benchOrder(2, 2, 3);
    std::vector<PlannedRun> expected = {
        {0, 1, 0}, {0, 1, 1}, {0, 2, 1}, {0, 2, 0}, {0, 3, 0}, {0, 3, 1},
        {1, 1, 0}, {1, 1, 1}, {1, 2, 1}, {1, 2, 0}, {1, 3, 0}, {1, 3, 1},
    };
    EXPECT_EQ(order, expected);
}

TEST(BenchPlanTest, SingleRepetitionAndEmpty) {
    EXPECT_EQ(benchOrder(1, 2, 1), (std::vector<PlannedRun>{{0, 1, 0}, {0, 1, 1}}));
    EXPECT_TRUE(benchOrder(0, 2, 3).empty());
    EXPECT_TRUE(benchOrder(2, 2, 0).empty());
}

TEST(BenchPlanTest, EveryKernelRunsOncePerRepetition) {
    auto order = benchOrder(1, 3, 4);
    ASSERT_EQ(order.size(), 12u);
    for (int rep = 1; rep <= 4; ++rep) {
        std::vector<int> seen(3, 0);
        for (const auto &r : order)
            if (r.repetition == rep)
                ++seen[r.kernel];
        EXPECT_EQ(seen, (std::vector<int>{1, 1, 1})) << "repetition " << rep;
    }
    EXPECT_EQ(order[3].kernel, 2u); // the second repetition starts with the last kernel
}

TEST(BenchPlanTest, OrderText) {
    EXPECT_EQ(orderText({"base", "ours"}, 3), "base ours, ours base, base ours");
    EXPECT_EQ(orderText({"base", "ours"}, 1), "base ours");
}

} // namespace
} // namespace pr
