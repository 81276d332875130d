#include "bench_figures.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

TimedMarker marker(double t, const std::string &line) { return {t, *parseMarker("@@PR " + line)}; }

Scenario drainScenario() {
    Scenario s;
    s.name = "bench-drain-1g";
    RssReturnedAssertion a;
    a.from_marker = "touch-begin";
    a.peak_marker = "freed";
    a.fraction = 0.95;
    a.within_s = 60;
    s.assertions = {a, NoConsoleMatchAssertion{"BUG:"}};
    return s;
}

// 100 MiB, grows to 868 by t=20, freed at t=21; RSS back to 120 MiB at `back_t`. QEMU burns
// one CPU second per second until then, 0.1 s/s afterwards.
RunResult drainRun(const Scenario &s, double back_t, double end_t) {
    RunResult r;
    for (int k = 0; k / 20.0 < end_t; ++k) {
        double t = k / 20.0;
        double mib = t < 10 ? 100 : t < 20 ? 100 + 76.8 * (t - 10) : t < back_t - 1e-9 ? 868 : 120;
        double cpu = t < back_t ? t : back_t + 0.1 * (t - back_t);
        r.record.samples.push_back({t, mib, cpu});
    }
    r.record.markers = {marker(10, "touch-begin"), marker(21, "freed mib=768")};
    Evaluator ev(s.assertions);
    auto results = ev.evaluate(r.record, end_t, true);
    for (std::size_t i = 0; i < results.size(); ++i)
        r.assertions.push_back({kindName(s.assertions[i]), describe(s.assertions[i]), results[i]});
    return r;
}

TEST(BenchFiguresTest, SpecsFollowTheAssertions) {
    auto specs = figureSpecs(drainScenario());
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_EQ(specs[0].key, "return_s");
    EXPECT_EQ(specs[0].label, "return 95 % (s)");
    EXPECT_EQ(specs[1].key, "returned_mib");
    EXPECT_EQ(specs[2].key, "qemu_cpu_s");
    EXPECT_EQ(specs[2].label, "QEMU CPU 'freed'->return (s)");
    EXPECT_EQ(specs[3].key, "qemu_cpu_s_per_gib");
    EXPECT_EQ(specs[3].label, "QEMU CPU per GiB returned (s/GiB)");
    EXPECT_FALSE(specs[0].value);
    EXPECT_EQ(specs[0].note, "");
}

TEST(BenchFiguresTest, DrainReturned) {
    Scenario s = drainScenario();
    RunResult r = drainRun(s, 28, 30);
    auto f = extractFigures(s, r);
    ASSERT_EQ(f.size(), 4u);
    ASSERT_TRUE(f[0].value);
    EXPECT_NEAR(f[0].value->value, 7.0, 1e-6);
    EXPECT_FALSE(f[0].value->lower_bound);
    EXPECT_NEAR(f[1].value->value, 748, 1e-6);
    ASSERT_TRUE(f[2].value);
    EXPECT_NEAR(f[2].value->value, 7.0, 1e-6); // CPU from t=21 to t=28
    ASSERT_TRUE(f[3].value);
    EXPECT_NEAR(f[3].value->value, 7.0 / (748.0 / 1024), 1e-6); // 9.58 s per GiB returned
    EXPECT_FALSE(f[3].value->lower_bound);
    EXPECT_EQ(f[3].note, "");
    EXPECT_EQ(chartMarker(s), "freed");
}

TEST(BenchFiguresTest, DrainNotReachedIsALowerBound) {
    Scenario s = drainScenario();
    RunResult r = drainRun(s, 1000, 82); // never returned; window closed at t=81
    auto f = extractFigures(s, r);
    ASSERT_TRUE(f[0].value);
    EXPECT_DOUBLE_EQ(f[0].value->value, 60);
    EXPECT_TRUE(f[0].value->lower_bound);
    EXPECT_EQ(f[0].note, "not reached within 60 s");
    EXPECT_NEAR(f[1].value->value, 0, 1e-9);
    EXPECT_FALSE(f[1].value->lower_bound);
    ASSERT_TRUE(f[2].value);
    EXPECT_NEAR(f[2].value->value, 60, 0.06);
    EXPECT_TRUE(f[2].value->lower_bound);
    ASSERT_TRUE(f[3].value); // the window's CPU per GiB grown (768 MiB)
    EXPECT_NEAR(f[3].value->value, f[2].value->value / 0.75, 1e-9);
    EXPECT_TRUE(f[3].value->lower_bound);
    EXPECT_EQ(f[3].note, "not reached within 60 s; CPU per GiB grown");
}

TEST(BenchFiguresTest, RunEndedEarlyHasNoFigures) {
    Scenario s = drainScenario();
    RunResult r = drainRun(s, 1000, 40); // e.g. QEMU crashed 19 s after 'freed'
    auto f = extractFigures(s, r);
    EXPECT_FALSE(f[0].value);
    EXPECT_NE(f[0].note.find("run ended 19.0 s after 'freed'"), std::string::npos) << f[0].note;
    EXPECT_FALSE(f[2].value);
    EXPECT_FALSE(f[3].value);
    EXPECT_EQ(f[3].note, f[0].note);

    r.assertions.clear(); // no results at all
    f = extractFigures(s, r);
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[1].note, "run has no assertion results");
    f = missingFigures(s, "QEMU failed to start");
    EXPECT_EQ(f[2].note, "QEMU failed to start");
    EXPECT_EQ(f[3].note, "QEMU failed to start");
}

TEST(BenchFiguresTest, DrainWithoutCpuSamplesHasNoCpuPerGib) {
    Scenario s = drainScenario();
    RunResult r = drainRun(s, 28, 30);
    for (auto &sample : r.record.samples)
        sample.cpu_s.reset();
    auto f = extractFigures(s, r);
    ASSERT_TRUE(f[0].value);
    EXPECT_FALSE(f[2].value);
    EXPECT_FALSE(f[3].value);
    EXPECT_EQ(f[3].note, "no CPU samples");
}

TEST(BenchFiguresTest, CpuPerGib) {
    // CPU seconds over the GiB returned (MiB / 1024).
    ASSERT_TRUE(cpuPerGib({0.02, false}, 766));
    EXPECT_NEAR(cpuPerGib({0.02, false}, 766)->value, 0.02 * 1024 / 766, 1e-12);
    EXPECT_DOUBLE_EQ(cpuPerGib({0.5, false}, 512)->value, 1.0);
    EXPECT_DOUBLE_EQ(cpuPerGib({0.26, false}, 6144)->value, 0.26 / 6);
    EXPECT_FALSE(cpuPerGib({0.5, false}, 512)->lower_bound);
    EXPECT_TRUE(cpuPerGib({0.5, true}, 512)->lower_bound); // a bound stays a bound
    EXPECT_DOUBLE_EQ(cpuPerGib({0, false}, 1024)->value, 0);
    EXPECT_EQ(cpuPerGib({0.5, false}, 0), std::nullopt); // nothing returned
    EXPECT_EQ(cpuPerGib({0.5, false}, -3), std::nullopt);
}

TEST(BenchFiguresTest, FragmentWindow) {
    Scenario s;
    RssReturnedWithinAssertion a;
    a.from_marker = "touch-begin";
    a.peak_marker = "freed";
    a.within_s = 30;
    s.assertions = {a};
    RunResult r = drainRun(s, 1000, 55);
    auto f = extractFigures(s, r);
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].key, "mib_returned_within");
    EXPECT_EQ(f[0].label, "returned within 30 s (MiB)");
    ASSERT_TRUE(f[0].value);
    EXPECT_NEAR(f[0].value->value, 0, 1e-9);
    ASSERT_TRUE(f[1].value);
    EXPECT_NEAR(f[1].value->value, 30, 0.06);
    EXPECT_EQ(f[1].label, "QEMU CPU 30 s after 'freed' (s)");

    r = drainRun(s, 1000, 40); // ended inside the window
    f = extractFigures(s, r);
    EXPECT_FALSE(f[0].value);
    EXPECT_NE(f[0].note.find("before the 30 s window closed"), std::string::npos) << f[0].note;
}

TEST(BenchFiguresTest, Value) {
    Scenario s;
    s.assertions = {ValueAssertion{"churn_ms", 1.0, std::nullopt}, MarkerAssertion{"done", {}, {}}};
    RunResult r;
    r.record.markers = {marker(5, "value name=churn_ms v=5123"), marker(6, "done")};
    Evaluator ev(s.assertions);
    for (auto &res : ev.evaluate(r.record, 6, true))
        r.assertions.push_back({"", "", res});
    auto f = extractFigures(s, r);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].key, "churn_ms");
    EXPECT_DOUBLE_EQ(f[0].value->value, 5123);
    EXPECT_EQ(chartMarker(s), std::nullopt);

    r.assertions.clear();
    r.record.markers.clear();
    for (auto &res : ev.evaluate(r.record, 6, true))
        r.assertions.push_back({"", "", res});
    f = extractFigures(s, r);
    EXPECT_FALSE(f[0].value);
    EXPECT_EQ(f[0].note, "guest never reported value 'churn_ms'");
}

TEST(BenchFiguresTest, GivenBack) {
    Scenario s;
    s.assertions = {RssGivenBackAssertion{"burst-begin", "burst-end"}};
    auto specs = figureSpecs(s);
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[0].key, "given_back_mib_s");
    EXPECT_EQ(specs[0].label, "given back 'burst-begin'..'burst-end' (MiB*s)");
    EXPECT_EQ(specs[1].key, "given_back_mean_mib");
    EXPECT_EQ(specs[1].label, "mean given back 'burst-begin'..'burst-end' (MiB)");

    // 500 MiB until t=2, then 400 MiB until t=12: 100 MiB given back for 10 s of 11.
    RunResult r;
    for (int k = 0; k <= 240; ++k) {
        double t = k / 20.0;
        r.record.samples.push_back({t, t < 2 ? 500.0 : 400.0, std::nullopt});
    }
    r.record.markers = {marker(1, "burst-begin"), marker(12, "burst-end")};
    Evaluator ev(s.assertions);
    for (auto &res : ev.evaluate(r.record, 12, true))
        r.assertions.push_back({"", "", res});
    auto f = extractFigures(s, r);
    ASSERT_EQ(f.size(), 2u);
    ASSERT_TRUE(f[0].value && f[1].value);
    EXPECT_NEAR(f[0].value->value, 1000, 10);
    EXPECT_NEAR(f[1].value->value, 1000 / 11.0, 1);
    EXPECT_FALSE(f[1].value->lower_bound);

    r.assertions.clear();
    r.record.markers.pop_back(); // never saw burst-end
    for (auto &res : ev.evaluate(r.record, 12, true))
        r.assertions.push_back({"", "", res});
    f = extractFigures(s, r);
    EXPECT_FALSE(f[0].value);
    EXPECT_FALSE(f[1].value);
    EXPECT_EQ(f[1].note, "never saw marker 'burst-end'");
}

TEST(BenchFiguresTest, CpuAt) {
    std::vector<RssSample> samples = {{0, 1, 0.5}, {1, 1, std::nullopt}, {2, 1, 2.5}};
    EXPECT_EQ(cpuAt(samples, -1), std::nullopt);
    EXPECT_EQ(cpuAt(samples, 0), 0.5);
    EXPECT_EQ(cpuAt(samples, 1.5), 0.5);
    EXPECT_EQ(cpuAt(samples, 9), 2.5);
}

} // namespace
} // namespace pr
