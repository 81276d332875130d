#include "report.h"

#include "raii.h"
#include "text.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

RunResult sample() {
    RunResult r;
    r.scenario = "drain-1g";
    r.label = "ours";
    r.duration_s = 3;
    r.end_reason = "decided";
    r.qemu_exit = "exit code 0";
    r.passed = false;
    r.reason = "value x: below";
    r.accel = "tcg";
    r.accel_reason = "--accel tcg";
    r.timing = "markers stamped on arrival; RSS sampled every 5 ms for 10 s after 'boot', else "
               "every 50 ms";
    r.sampling_periods = {{0, 0.05}, {0.5, 0.005}, {10.5, 0.05}};
    r.decided_s = 2.5;
    r.linger_s = 0.5;
    r.record.samples = {{0.05, 10, 0.5}, {1.0, 20.5, 1.25}, {2.0, 30, std::nullopt}};
    r.record.markers = {{0.5, *parseMarker("@@PR boot")}, {2.5, *parseMarker("@@PR done k=v")}};
    r.actions.push_back({0.6, "boot", "balloon", {{"value", 1}}, nullptr, "QMP command failed"});
    r.assertions.push_back(
        {"value", "value x >= 1", {Verdict::Fail, "x = 0, below", {{"value", 0}}}});
    r.assertions.push_back({"marker", "marker 'boot'", {Verdict::Pass, "saw 'boot' at 0.5 s", {}}});
    return r;
}

TEST(ReportTest, RssTsvInterleavesMarkersAndRoundTrips) {
    RunResult r = sample();
    std::string tsv = rssTsv(r);
    EXPECT_NE(
        tsv.find("# markers stamped on arrival; RSS sampled every 5 ms for 10 s after 'boot', "
                 "else every 50 ms\n# period from 0.000 s: 50 ms\n# period from 0.500 s: 5 "
                 "ms\n# period from 10.500 s: 50 ms\n"),
        std::string::npos)
        << tsv;
    EXPECT_NE(tsv.find("# t_seconds\trss_mib\tqemu_cpu_s\n0.050\t10.00\t0.50\n# marker 0.500 "
                       "boot\n1.000\t20.50\t1.25\n"),
              std::string::npos)
        << tsv;
    EXPECT_NE(tsv.find("2.000\t30.00\n# marker 2.500 done k=v\n"), std::string::npos);

    TempDir dir;
    writeTextFile(dir.path() / "rss.tsv", tsv);
    RssTable t = readRssTsv(dir.path() / "rss.tsv");
    ASSERT_EQ(t.samples.size(), 3u);
    EXPECT_DOUBLE_EQ(t.samples[1].mib, 20.5);
    EXPECT_EQ(t.samples[1].cpu_s, 1.25);
    EXPECT_EQ(t.samples[2].cpu_s, std::nullopt);
    ASSERT_EQ(t.markers.size(), 2u);
    EXPECT_DOUBLE_EQ(t.markers[1].t, 2.5);
    EXPECT_EQ(t.markers[1].marker.arg("k"), "v");
}

TEST(ReportTest, ResultJson) {
    auto j = resultJson(sample());
    EXPECT_EQ(j["scenario"], "drain-1g");
    EXPECT_EQ(j["label"], "ours");
    EXPECT_EQ(j["outcome"], "fail");
    EXPECT_EQ(j["markers"][1]["event"], "done");
    EXPECT_EQ(j["markers"][1]["args"]["k"], "v");
    EXPECT_EQ(j["actions"][0]["error"], "QMP command failed");
    EXPECT_EQ(j["assertions"][0]["result"], "fail");
    EXPECT_EQ(j["assertions"][0]["figures"]["value"], 0);
    EXPECT_EQ(j["rss"]["peak_mib"], 30.0);
    EXPECT_EQ(j["rss"]["samples"], 3);
    EXPECT_EQ(j["accel"], "tcg");
    EXPECT_EQ(j["accel_reason"], "--accel tcg");
    EXPECT_EQ(j["timing"], sample().timing);
    ASSERT_EQ(j["rss"]["periods"].size(), 3u);
    EXPECT_EQ(j["rss"]["periods"][1]["from_s"], 0.5);
    EXPECT_EQ(j["rss"]["periods"][1]["period_ms"], 5.0);
    EXPECT_EQ(j["decided_s"], 2.5);
    EXPECT_EQ(j["linger_s"], 0.5);
    RunResult r = sample();
    r.decided_s.reset();
    EXPECT_TRUE(resultJson(r)["decided_s"].is_null());
}

TEST(ReportTest, SummaryAndFinalLine) {
    RunResult r = sample();
    std::string s = summaryText(r);
    EXPECT_EQ(s.substr(0, s.find('\n')),
              "Summary: drain-1g [ours], 3.0 s, ended by decided at 2.5 s (QEMU kept 0.5 s more), "
              "QEMU exit code 0, -accel tcg");
    EXPECT_NE(s.find("\n  timing: markers stamped on arrival; RSS sampled every 5 ms for 10 s "
                     "after 'boot', else every 50 ms\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("  FAIL  value x >= 1: x = 0, below\n"), std::string::npos) << s;
    EXPECT_NE(s.find("  PASS  marker 'boot': saw 'boot' at 0.5 s\n"), std::string::npos);
    EXPECT_NE(s.find("  FAIL  action balloon on 'boot': QMP command failed\n"), std::string::npos);
    EXPECT_EQ(finalLine(r), "FAIL drain-1g: value x: below");
    r.passed = true;
    EXPECT_EQ(finalLine(r), "PASS drain-1g");
}

} // namespace
} // namespace pr
