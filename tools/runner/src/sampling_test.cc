#include "sampling.h"

#include <gtest/gtest.h>

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

} // namespace
} // namespace pr
