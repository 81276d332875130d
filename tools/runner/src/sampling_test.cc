#include "sampling.h"

#include <chrono>
#include <gtest/gtest.h>
#include <unistd.h>

namespace pr {
namespace {

std::vector<Assertion> drainAssertions() {
    RssReturnedAssertion r;
    r.from_marker = "touch-begin";
    r.peak_marker = "freed";
    RssReturnedWithinAssertion w;
    w.from_marker = "again-touch";
    w.peak_marker = "again-freed";
    RssReturnedAssertion same = r;
    return {MarkerAssertion{"result", {}, {}}, r, w, same, NoConsoleMatchAssertion{"BUG:"}};
}

TEST(SamplingTest, PlanTakesTheReturnsPeakMarkers) {
    EXPECT_EQ(samplingPlan(drainAssertions()).fast_markers,
              (std::vector<std::string>{"freed", "again-freed"}));
    EXPECT_TRUE(samplingPlan({ValueAssertion{"churn_ms", {}, {}}}).fast_markers.empty());
}

TEST(SamplingTest, Text) {
    SamplingPlan plan;
    EXPECT_EQ(samplingText(plan), "markers stamped on arrival; RSS sampled every 50 ms");
    plan.fast_markers = {"freed"};
    EXPECT_EQ(samplingText(plan), "markers stamped on arrival; RSS sampled every 5 ms for 10 s "
                                  "after 'freed', else every 50 ms");
    plan.fast_markers = {"a", "b", "c"};
    EXPECT_NE(samplingText(plan).find("after 'a', 'b' or 'c', else"), std::string::npos);
}

TEST(SamplingTest, FastForTenSecondsAfterAPeakMarker) {
    SamplingPlan plan;
    plan.fast_markers = {"freed"};
    SamplingSchedule s(plan);
    EXPECT_DOUBLE_EQ(s.nextDue(), 0);
    s.sampled(0.04); // the first: the grid starts here
    EXPECT_DOUBLE_EQ(s.nextDue(), 0.09);
    s.sampled(0.091);
    EXPECT_DOUBLE_EQ(s.nextDue(), 0.14); // on the grid, not 50 ms after the late sample

    s.marker("touched", 0.12); // not a peak marker
    EXPECT_DOUBLE_EQ(s.nextDue(), 0.14);
    s.marker("freed", 0.12);
    EXPECT_NEAR(s.nextDue(), 0.125, 1e-12);
    EXPECT_DOUBLE_EQ(s.periodAt(0.13), 0.005);
    s.sampled(0.125);
    EXPECT_NEAR(s.nextDue(), 0.130, 1e-12);
    EXPECT_DOUBLE_EQ(s.periodAt(10.11), 0.005);
    EXPECT_DOUBLE_EQ(s.periodAt(10.12), 0.050);

    s.sampled(10.5); // fell behind past the window's end: back to 50 ms from now
    EXPECT_NEAR(s.nextDue(), 10.55, 1e-12);
    ASSERT_EQ(s.periods().size(), 3u);
    EXPECT_DOUBLE_EQ(s.periods()[0].from_s, 0);
    EXPECT_DOUBLE_EQ(s.periods()[0].period_s, 0.05);
    EXPECT_DOUBLE_EQ(s.periods()[1].from_s, 0.12);
    EXPECT_DOUBLE_EQ(s.periods()[1].period_s, 0.005);
    EXPECT_NEAR(s.periods()[2].from_s, 10.12, 1e-12);
    EXPECT_DOUBLE_EQ(s.periods()[2].period_s, 0.05);
}

TEST(SamplingTest, ASecondPeakMarkerExtendsTheWindow) {
    SamplingPlan plan;
    plan.fast_markers = {"freed"};
    SamplingSchedule s(plan);
    s.marker("freed", 1);
    s.marker("freed", 5);
    EXPECT_DOUBLE_EQ(s.periodAt(14), 0.005);
    EXPECT_DOUBLE_EQ(s.periodAt(15), 0.05);
    EXPECT_EQ(s.periods().size(), 2u);
}

TEST(SamplingTest, NoPeakMarkersNoFastSampling) {
    SamplingSchedule s(SamplingPlan{});
    s.marker("freed", 1);
    EXPECT_DOUBLE_EQ(s.periodAt(1.5), 0.05);
    EXPECT_EQ(s.periods().size(), 1u);
}

TEST(RssSamplerTest, ParsesVmRss) {
    const char *status = "Name:\tqemu-system-x86\n"
                         "VmPeak:\t 2000000 kB\n"
                         "VmRSS:\t  786432 kB\n"
                         "RssAnon:\t  700000 kB\n";
    EXPECT_EQ(parseVmRssKib(status), 786432);
}

TEST(RssSamplerTest, LastLineWithoutNewline) { EXPECT_EQ(parseVmRssKib("VmRSS: 12 kB"), 12); }

TEST(RssSamplerTest, MissingOrMalformed) {
    EXPECT_EQ(parseVmRssKib("Name:\tkthreadd\nState:\tS\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("VmRSS:\t\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("VmRSS:\t12 MB\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("XVmRSS:\t12 kB\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib(""), std::nullopt);
}

TEST(RssSamplerTest, ParsesAnonymousAndHugePages) {
    auto kib = parseAnonKib("Rss: 5 kB\nAnonymous:      204800 kB\nAnonHugePages:  102400 kB\n");
    ASSERT_TRUE(kib);
    EXPECT_EQ(kib->first, 204800);
    EXPECT_EQ(kib->second, 102400);
    EXPECT_FALSE(parseAnonKib("Anonymous: 12 kB\n"));
}

TEST(RssSamplerTest, SamplesThisProcessHugePages) {
    ProcessSampler sampler(getpid());
    auto mib = sampler.thpMib();
    ASSERT_TRUE(mib);
    EXPECT_GT(mib->first, 0);
    EXPECT_GE(mib->first, mib->second);
}

TEST(RssSamplerTest, SamplesThisProcess) {
    ProcessSampler sampler(::getpid());
    auto mib = sampler.rssMib();
    ASSERT_TRUE(mib);
    EXPECT_GT(*mib, 0.1);
    EXPECT_LT(*mib, 4096.0);
}

TEST(CpuSamplerTest, ParsesUtimePlusStime) {
    // Fields: pid comm state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime(14) stime(15) cutime cstime ...
    const char *stat = "4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
                       "1234 567 8 9 20 0 5 0 100 2000000 3000\n";
    EXPECT_EQ(parseStatCpuTicks(stat), 1234 + 567);
}

TEST(CpuSamplerTest, CommandNameWithBlanksAndParentheses) {
    EXPECT_EQ(parseStatCpuTicks("7 (a b) (c)) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0"), 30);
}

TEST(CpuSamplerTest, Malformed) {
    EXPECT_EQ(parseStatCpuTicks(""), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 10"), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 1x 20"), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("no parenthesis 1 2 3"), std::nullopt);
}

TEST(CpuSamplerTest, SamplesThisProcess) {
    ProcessSampler sampler(::getpid());
    auto before = sampler.cpuSeconds();
    ASSERT_TRUE(before);
    // Spin until 50 ms of CPU time show up (a busy host may give us less than wall time).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::optional<double> after;
    volatile unsigned long spin = 0;
    do {
        for (int i = 0; i < 1000000; ++i)
            spin = spin + 1;
        after = sampler.cpuSeconds();
        ASSERT_TRUE(after);
    } while (*after - *before < 0.05 && std::chrono::steady_clock::now() < deadline);
    EXPECT_GE(*after - *before, 0.05);
}

} // namespace
} // namespace pr
