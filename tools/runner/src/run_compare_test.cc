#include "run_compare.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

using nlohmann::json;

json result(const std::string &kind, json figures, const std::string &detail = "d") {
    return {
        {"assertions", json::array({{{"kind", "marker"}, {"figures", json::object()}},
                                    {{"kind", kind}, {"detail", detail}, {"figures", figures}}})}};
}

TEST(RunCompareTest, ReturnReached) {
    RunReturn r = runReturn(
        result("rss_returned",
               {{"returned_mib", 764.2}, {"peak_marker_t", 20.5}, {"seconds_after_marker", 0.3}}),
        "ours");
    EXPECT_TRUE(r.reached);
    EXPECT_EQ(returnLine(r), "ours: 764 MiB back in 0.30 s");
    EXPECT_NEAR(*returnTime(r), 20.8, 1e-12);
}

TEST(RunCompareTest, ReturnNotReachedWithinTheWindow) {
    RunReturn r = runReturn(result("rss_returned",
                                   {{"returned_mib", 735},
                                    {"peak_marker_t", 21},
                                    {"lowest_after_s", 11.4},
                                    {"not_reached_within_s", 60}},
                                   "only returned 735 MiB of 768 MiB grown"),
                            "base");
    EXPECT_FALSE(r.reached);
    EXPECT_EQ(returnLine(r),
              "base: 735 MiB back in 11.4 s (not all within 60 s: only returned 735 MiB of 768 "
              "MiB grown)");
    EXPECT_NEAR(*returnTime(r), 32.4, 1e-12);
}

TEST(RunCompareTest, OtherCases) {
    EXPECT_EQ(returnLine(runReturn(json::object(), "x")),
              "x: no return measured (no rss_returned assertion in result.json)");
    EXPECT_EQ(returnLine(runReturn(
                  result("rss_returned", json::object(), "never saw marker 'freed'"), "x")),
              "x: no return measured (never saw marker 'freed')");
    RunReturn w = runReturn(result("rss_returned_within", {{"returned_mib", 12},
                                                           {"peak_marker_t", 5},
                                                           {"window_s", 30},
                                                           {"window_closed", true}}),
                            "x");
    EXPECT_EQ(returnLine(w), "x: 12 MiB back within 30 s");
    EXPECT_NEAR(*returnTime(w), 35, 1e-12);
}

TEST(RunCompareTest, AlignedSeriesShiftsOntoTheFirstMarkerAndDropsValues) {
    RssTable t;
    t.samples = {{19, 800}, {21, 100}};
    t.markers = {{10, *parseMarker("@@PR touch-begin")},
                 {20, *parseMarker("@@PR freed")},
                 {20.5, *parseMarker("@@PR value name=x v=1")},
                 {30, *parseMarker("@@PR freed")}};
    auto a = alignedSeries("ours", t, "freed");
    ASSERT_TRUE(a);
    EXPECT_DOUBLE_EQ(a->origin, 20);
    EXPECT_EQ(a->series.label, "ours");
    EXPECT_DOUBLE_EQ(a->series.samples[0].t, -1);
    ASSERT_EQ(a->series.markers.size(), 3u);
    EXPECT_DOUBLE_EQ(a->series.markers[0].t, -10);
    EXPECT_DOUBLE_EQ(a->series.markers[2].t, 10);
    EXPECT_FALSE(alignedSeries("ours", t, "nope"));
}

} // namespace
} // namespace pr
