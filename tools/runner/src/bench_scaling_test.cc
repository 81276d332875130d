#include "bench_scaling.h"

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

} // namespace
} // namespace pr
