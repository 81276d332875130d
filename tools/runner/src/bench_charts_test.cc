#include "bench_charts.h"

#include "raii.h"
#include "subprocess.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

TEST(BenchScalingTest, GuestGib) {
    EXPECT_EQ(guestGib(1024, "x"), 1.0);
    EXPECT_EQ(guestGib(16384, "bench-drain-1g"), 16.0); // the scenario's memory wins
    EXPECT_EQ(guestGib(0, "bench-drain-16g"), 16.0);
    EXPECT_EQ(guestGib(0, "drain-1g-oot"), 1.0);
    EXPECT_EQ(guestGib(-1, "bench-drain-4G"), 4.0);
    EXPECT_EQ(guestGib(0, "bench-drain-512m"), 0.5);
    EXPECT_EQ(guestGib(0, "bench-churn-1cpu"), std::nullopt);
    EXPECT_EQ(guestGib(0, "bench-drain-0g"), std::nullopt);
    EXPECT_EQ(guestGib(0, "bench-1gx"), std::nullopt);
    EXPECT_EQ(guestGib(0, ""), std::nullopt);
}

BenchRun drainRun(std::size_t scenario, int rep, std::size_t kernel, std::optional<Sample> ret,
                  std::optional<Sample> per_gib) {
    BenchRun r;
    r.scenario = scenario;
    r.repetition = rep;
    r.kernel = kernel;
    r.figures = {{"return_s", "return 95 % (s)", ret, ""},
                 {"returned_mib", "returned (MiB)", Sample{700, false}, ""},
                 {"qemu_cpu_s", "QEMU CPU 'freed'->return (s)", Sample{0.1, false}, ""},
                 {"qemu_cpu_s_per_gib", "QEMU CPU per GiB returned (s/GiB)", per_gib, ""}};
    return r;
}

// base/ours over 8g (by memory), 1g (by name), a churn scenario, 16g whose runs all failed,
// and a second 1 GiB drain scenario.
BenchData scalingBench() {
    BenchData d;
    d.kernels = {{"base", "", ""}, {"ours", "", ""}};
    d.scenarios = {{"bench-drain-8g", "", "", 8192},
                   {"bench-drain-1g", "", "", 0},
                   {"bench-churn-1cpu", "", "", 1024},
                   {"bench-drain-16g", "", "", 16384},
                   {"drain-1g-oot", "", "", 1024}};
    auto s = [](double v, bool lb = false) { return std::optional<Sample>(Sample{v, lb}); };
    d.runs = {
        drainRun(0, 1, 0, s(19.0), s(0.045)),
        drainRun(0, 1, 1, s(0.40), s(0.012)),
        drainRun(0, 2, 1, s(0.25), s(0.008)),
        drainRun(0, 2, 0, s(18.3), s(0.041)),
        drainRun(0, 3, 0, s(120, true), s(0.05, true)),
        drainRun(0, 3, 1, s(0.35), s(0.013)),
        drainRun(1, 1, 0, s(8.75), s(0.128)),
        drainRun(1, 1, 1, s(0.25), s(0.027)),
        drainRun(1, 2, 1, s(0.5), std::nullopt), // no CPU samples
        drainRun(1, 2, 0, s(6.3), s(0.13)),
        drainRun(3, 1, 0, std::nullopt, std::nullopt),
        drainRun(3, 1, 1, std::nullopt, std::nullopt),
        drainRun(4, 1, 0, s(99), s(99)),
        drainRun(4, 1, 1, s(99), s(99)),
    };
    BenchRun churn;
    churn.scenario = 2;
    churn.figures = {{"churn_ms", "churn_ms", Sample{3500, false}, ""}};
    d.runs.push_back(churn);
    return d;
}

TEST(BenchScalingTest, DataTakesTheDrainMediansBySize) {
    BenchData d = scalingBench();
    ScalingData s = scalingData(d, summarize(d));
    EXPECT_EQ(s.kernels, (std::vector<std::string>{"base", "ours"}));
    EXPECT_EQ(s.return_label, "return 95 % (s)");
    ASSERT_EQ(s.points.size(), 3u); // no churn, one scenario per size, sorted by size
    EXPECT_EQ(s.points[0].scenario, "bench-drain-1g");
    EXPECT_EQ(s.points[0].gib, 1.0);
    EXPECT_EQ(s.points[1].scenario, "bench-drain-8g");
    EXPECT_EQ(s.points[1].gib, 8.0);
    EXPECT_EQ(s.points[2].scenario, "bench-drain-16g");
    EXPECT_EQ(s.points[2].gib, 16.0);

    // 1g: two runs each, the mean of both; ours has one CPU-per-GiB value.
    ASSERT_EQ(s.points[0].return_s.size(), 2u);
    EXPECT_NEAR(s.points[0].return_s[0]->value, (8.75 + 6.3) / 2, 1e-12);
    EXPECT_NEAR(s.points[0].return_s[1]->value, 0.375, 1e-12);
    EXPECT_NEAR(s.points[0].cpu_per_gib[0]->value, 0.129, 1e-12);
    EXPECT_NEAR(s.points[0].cpu_per_gib[1]->value, 0.027, 1e-12);
    // 8g: three runs each, the middle one; base's lower bound sorts last.
    EXPECT_DOUBLE_EQ(s.points[1].return_s[0]->value, 19.0);
    EXPECT_FALSE(s.points[1].return_s[0]->lower_bound);
    EXPECT_DOUBLE_EQ(s.points[1].return_s[1]->value, 0.35);
    EXPECT_DOUBLE_EQ(s.points[1].cpu_per_gib[0]->value, 0.045);
    EXPECT_DOUBLE_EQ(s.points[1].cpu_per_gib[1]->value, 0.012);
    // 16g: no values at all.
    EXPECT_FALSE(s.points[2].return_s[0]);
    EXPECT_FALSE(s.points[2].cpu_per_gib[1]);
}

TEST(BenchScalingTest, MedianLowerBoundIsKept) {
    BenchData d = scalingBench();
    d.runs[0].figures[0].value = Sample{90, true}; // 8g base: two of three not reached
    d.runs[0].figures[3].value = Sample{0.07, true};
    ScalingData s = scalingData(d, summarize(d));
    EXPECT_DOUBLE_EQ(s.points[1].return_s[0]->value, 90);
    EXPECT_TRUE(s.points[1].return_s[0]->lower_bound);
    EXPECT_TRUE(s.points[1].cpu_per_gib[0]->lower_bound);
}

TEST(BenchScalingTest, PlotSpecSkipsMissingValues) {
    BenchData d = scalingBench();
    auto spec = scalingPlotSpec(scalingData(d, summarize(d)), "/out/bench-scaling.png");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->output_png, "/out/bench-scaling.png");
    EXPECT_EQ(spec->xlabel, "guest size (GiB)");
    EXPECT_EQ(spec->xtics, (std::vector<double>{1, 8, 16}));
    ASSERT_EQ(spec->panels.size(), 2u);
    const XYPanel &time = spec->panels[0], &cpu = spec->panels[1];
    EXPECT_TRUE(time.log_y);
    EXPECT_FALSE(cpu.log_y);
    EXPECT_EQ(time.ylabel, "return 95 % (s)");
    EXPECT_EQ(cpu.ylabel, "QEMU CPU per GiB returned (s/GiB)");
    ASSERT_EQ(time.series.size(), 2u);
    EXPECT_EQ(time.series[1].label, "ours");
    EXPECT_EQ(time.series[1].color, 2);
    ASSERT_EQ(time.series[0].points.size(), 2u); // 16g left out
    EXPECT_EQ(time.series[0].points[1].x, 8.0);
    EXPECT_EQ(time.series[0].points[1].y, 19.0);
    ASSERT_EQ(cpu.series[1].points.size(), 2u);
    EXPECT_EQ(cpu.series[1].points[0].y, 0.027);

    ScalingData none = scalingData(d, summarize(d));
    none.points.erase(none.points.begin(), none.points.begin() + 2); // only 16g: no values
    EXPECT_FALSE(scalingPlotSpec(none, "x.png"));
    EXPECT_FALSE(scalingPlotSpec(ScalingData{}, "x.png"));
}

TEST(BenchTradeoffTest, Setting) {
    EXPECT_EQ(tradeoffSetting("bench-burst-250ms"), "250ms");
    EXPECT_EQ(tradeoffSetting("bench-burst-1s"), "1s");
    EXPECT_EQ(tradeoffSetting("bench-burst-3s-2cpu"), "3s-2cpu");
    EXPECT_EQ(tradeoffSetting("bench-churn-1cpu"), "bench-churn-1cpu");
    EXPECT_EQ(tradeoffSetting("bench-burst-"), "bench-burst-");
}

// A burst run with the figures extractFigures gives (bench_figures.h); nullopt: no value.
BenchRun burstRun(std::size_t scenario, int rep, std::size_t kernel, std::optional<double> ms,
                  std::optional<double> mean_mib) {
    auto s = [](std::optional<double> v) {
        return v ? std::optional<Sample>(Sample{*v, false}) : std::nullopt;
    };
    BenchRun r;
    r.scenario = scenario;
    r.repetition = rep;
    r.kernel = kernel;
    r.figures = {{"burst_ms", "burst_ms", s(ms), ""},
                 {"given_back_mib_s", "given back 'burst-begin'..'burst-end' (MiB*s)",
                  s(mean_mib ? std::optional<double>(*mean_mib * 20) : std::nullopt), ""},
                 {"given_back_mean_mib", "mean given back 'burst-begin'..'burst-end' (MiB)",
                  s(mean_mib), ""}};
    return r;
}

// base/ours over: 250ms and its twin (two runs each), 1s and its twin whose ours runs gave
// no burst_ms, 3s without a twin, a churn pair (no burst_ms at all), a lone -noreport.
BenchData burstBench() {
    BenchData d;
    d.kernels = {{"base", "", ""}, {"ours", "", ""}};
    d.scenarios = {{"bench-burst-250ms", "", "", 1024},          // 0
                   {"bench-burst-250ms-noreport", "", "", 1024}, // 1
                   {"bench-burst-1s", "", "", 1024},             // 2
                   {"bench-burst-1s-noreport", "", "", 1024},    // 3
                   {"bench-burst-3s", "", "", 1024},             // 4
                   {"bench-churn-1cpu", "", "", 1024},           // 5
                   {"bench-churn-1cpu-noreport", "", "", 1024},  // 6
                   {"bench-burst-9s-noreport", "", "", 1024}};   // 7
    d.runs = {
        burstRun(0, 1, 0, 300, 10),
        burstRun(0, 1, 1, 120, 200),
        burstRun(0, 2, 1, 110, 180),
        burstRun(0, 2, 0, 340, 14),
        burstRun(1, 1, 0, 100, 0),
        burstRun(1, 1, 1, 100, 0),
        burstRun(1, 2, 1, 100, 0),
        burstRun(1, 2, 0, 100, 0),
        burstRun(2, 1, 0, 150, 40),
        burstRun(2, 1, 1, 104, 300),
        burstRun(3, 1, 0, 100, 0),
        burstRun(3, 1, 1, std::nullopt, std::nullopt), // ours' noreport run gave nothing
        burstRun(4, 1, 0, 101, 350),
        burstRun(4, 1, 1, 102, 360),
        burstRun(7, 1, 0, 100, 0),
        burstRun(7, 1, 1, 100, 0),
    };
    for (std::size_t si : {5, 6})
        for (std::size_t k : {0, 1}) {
            BenchRun churn;
            churn.scenario = si;
            churn.kernel = k;
            churn.figures = {{"churn_ms", "churn_ms", Sample{3500, false}, ""}};
            d.runs.push_back(churn);
        }
    return d;
}

TEST(BenchTradeoffTest, DataPairsTheScenariosByName) {
    BenchData d = burstBench();
    TradeoffData t = tradeoffData(d, summarize(d));
    EXPECT_EQ(t.kernels, (std::vector<std::string>{"base", "ours"}));
    // 250ms both kernels, 1s base only (ours has no noreport median); no 3s, churn or 9s.
    ASSERT_EQ(t.points.size(), 3u);
    EXPECT_EQ(t.points[0].scenario, "bench-burst-250ms");
    EXPECT_EQ(t.points[0].setting, "250ms");
    EXPECT_EQ(t.points[0].kernel, 0u);
    EXPECT_DOUBLE_EQ(t.points[0].cost_ratio, 3.2); // median (300, 340) / median (100, 100)
    EXPECT_DOUBLE_EQ(t.points[0].given_back_mib, 12);
    EXPECT_EQ(t.points[1].scenario, "bench-burst-250ms");
    EXPECT_EQ(t.points[1].kernel, 1u);
    EXPECT_DOUBLE_EQ(t.points[1].cost_ratio, 1.15);
    EXPECT_DOUBLE_EQ(t.points[1].given_back_mib, 190);
    EXPECT_EQ(t.points[2].scenario, "bench-burst-1s");
    EXPECT_EQ(t.points[2].setting, "1s");
    EXPECT_EQ(t.points[2].kernel, 0u);
    EXPECT_DOUBLE_EQ(t.points[2].cost_ratio, 1.5);
    EXPECT_DOUBLE_EQ(t.points[2].given_back_mib, 40);
}

TEST(BenchTradeoffTest, MissingMediansAreSkipped) {
    BenchData d = burstBench();
    // 250ms: base's reporting runs lose their memory figure; ours' its burst_ms.
    for (auto &r : d.runs) {
        if (r.scenario == 0 && r.kernel == 0)
            r.figures[2].value = std::nullopt;
        if (r.scenario == 0 && r.kernel == 1)
            r.figures[0].value = std::nullopt;
    }
    TradeoffData t = tradeoffData(d, summarize(d));
    ASSERT_EQ(t.points.size(), 1u);
    EXPECT_EQ(t.points[0].scenario, "bench-burst-1s");

    // A zero noreport median gives no ratio.
    for (auto &r : d.runs)
        if (r.scenario == 3 && r.kernel == 0)
            r.figures[0].value = Sample{0, false};
    EXPECT_TRUE(tradeoffData(d, summarize(d)).points.empty());
}

TEST(BenchTradeoffTest, NoChartWithoutPairs) {
    BenchData d = burstBench();
    d.scenarios[1].name = "bench-burst-250ms-off"; // no twin any more
    d.scenarios[3].name = "bench-burst-1s-reporting";
    TradeoffData t = tradeoffData(d, summarize(d));
    EXPECT_TRUE(t.points.empty());
    EXPECT_FALSE(tradeoffPlotSpec(t, "x.png"));
    EXPECT_FALSE(tradeoffPlotSpec(TradeoffData{}, "x.png"));
}

TEST(BenchTradeoffTest, PlotSpec) {
    BenchData d = burstBench();
    auto spec = tradeoffPlotSpec(tradeoffData(d, summarize(d)), "/out/bench-tradeoff.png");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->output_png, "/out/bench-tradeoff.png");
    EXPECT_TRUE(spec->xtics.empty()); // linear x
    ASSERT_EQ(spec->panels.size(), 1u);
    const XYPanel &panel = spec->panels[0];
    EXPECT_FALSE(panel.lines);
    EXPECT_FALSE(panel.log_y);
    EXPECT_EQ(panel.ylabel, "mean host memory given back over the churn (MiB)");
    ASSERT_EQ(panel.series.size(), 2u);
    EXPECT_EQ(panel.series[0].label, "base");
    EXPECT_EQ(panel.series[1].label, "ours");
    EXPECT_EQ(panel.series[1].color, 2);
    EXPECT_NE(panel.series[0].point_type, panel.series[1].point_type);
    ASSERT_EQ(panel.series[0].points.size(), 2u);
    EXPECT_DOUBLE_EQ(panel.series[0].points[0].x, 3.2);
    EXPECT_DOUBLE_EQ(panel.series[0].points[0].y, 12);
    EXPECT_EQ(panel.series[0].points[0].label, "250ms");
    EXPECT_EQ(panel.series[0].points[1].label, "1s");
    ASSERT_EQ(panel.series[1].points.size(), 1u);
    EXPECT_DOUBLE_EQ(panel.series[1].points[0].x, 1.15);
    ASSERT_EQ(spec->x_lines.size(), 1u);
    EXPECT_DOUBLE_EQ(spec->x_lines[0].x, 1.05);
    EXPECT_EQ(spec->x_lines[0].label, "goal: 1.05x");
    // x spans 1 (free) to the largest ratio, a tenth of that added on both sides.
    ASSERT_TRUE(spec->x_min && spec->x_max);
    EXPECT_NEAR(*spec->x_min, 1 - 0.22, 1e-12);
    EXPECT_NEAR(*spec->x_max, 3.2 + 0.22, 1e-12);

    // Ratios all below 1 still show the goal.
    TradeoffData cheap{{"base"}, {{"bench-burst-3s", "3s", 0, 0.9, 100}}};
    spec = tradeoffPlotSpec(cheap, "x.png");
    ASSERT_TRUE(spec);
    EXPECT_NEAR(*spec->x_min, 0.9 - 0.015, 1e-12);
    EXPECT_NEAR(*spec->x_max, 1.05 + 0.015, 1e-12);
}

TEST(BenchTradeoffTest, GnuplotScriptHasTheSeriesAndLabels) {
    BenchData d = burstBench();
    auto spec = tradeoffPlotSpec(tradeoffData(d, summarize(d)), "/out/bench-tradeoff.png");
    ASSERT_TRUE(spec);
    std::string s = panelGnuplotScript(*spec);
    EXPECT_NE(s.find("set output '/out/bench-tradeoff.png'\n"), std::string::npos) << s;
    EXPECT_NE(s.find("$p0s0 << EOD\n3.2 12 0 \"250ms\"\n1.5 40 0 \"1s\"\nEOD\n"), std::string::npos)
        << s;
    EXPECT_NE(s.find("$p0s1 << EOD\n1.15 190 0 \"250ms\"\nEOD\n"), std::string::npos) << s;
    EXPECT_NE(s.find("$p0s0 using 1:2 with points pointtype 7 pointsize 1.8 linecolor 1 title "
                     "'base'"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("$p0s1 using 1:2 with points pointtype 5 pointsize 1.8 linecolor 2 title "
                     "'ours'"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("$p0s0 using 1:2:4 with labels"), std::string::npos) << s;
    EXPECT_NE(s.find("$p0s1 using 1:2:4 with labels"), std::string::npos) << s;
    EXPECT_EQ(s.find("linespoints"), std::string::npos) << s;
    EXPECT_NE(s.find("set xrange [0.78:3.42]\n"), std::string::npos) << s;
    EXPECT_NE(s.find("set arrow from 1.05, graph 0 to 1.05, graph 1 nohead dashtype 2"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("set label 'goal: 1.05x' at 1.05, graph 0.97"), std::string::npos) << s;
    EXPECT_NE(s.find("set xlabel 'churn cost: median burst_ms with reporting / without (1.0 = "
                     "free)'\n"),
              std::string::npos)
        << s;
}

TEST(BenchTradeoffTest, RendersWithGnuplot) {
    if (!findExecutable("gnuplot"))
        GTEST_SKIP() << "gnuplot not installed";
    TempDir dir;
    BenchData d = burstBench();
    auto spec = tradeoffPlotSpec(tradeoffData(d, summarize(d)), dir.path() / "tradeoff.png");
    ASSERT_TRUE(spec);
    runGnuplot(panelGnuplotScript(*spec), dir.path() / "tradeoff.gp");
    EXPECT_GT(std::filesystem::file_size(dir.path() / "tradeoff.png"), 1000u);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "tradeoff.gp.log"));
}

} // namespace
} // namespace pr
