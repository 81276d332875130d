#include "bench_stats.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

Sample exact(double v) { return {v, false}; }
Sample atLeast(double v) { return {v, true}; }

TEST(BenchStatsTest, MedianOddAndEven) {
    EXPECT_EQ(median({}), std::nullopt);
    auto m = median({exact(7.2), exact(6.9), exact(7.05)});
    ASSERT_TRUE(m);
    EXPECT_DOUBLE_EQ(m->value, 7.05);
    EXPECT_FALSE(m->lower_bound);
    m = median({exact(4), exact(1), exact(3), exact(2)});
    EXPECT_DOUBLE_EQ(m->value, 2.5);
    m = median({exact(5)});
    EXPECT_DOUBLE_EQ(m->value, 5);
}

TEST(BenchStatsTest, MedianWithLowerBounds) {
    // One run out of three not reached within 60 s: the median is still exact.
    auto m = median({atLeast(60), exact(40), exact(50)});
    EXPECT_DOUBLE_EQ(m->value, 50);
    EXPECT_FALSE(m->lower_bound);
    // Two of three: the median is "> 60".
    m = median({atLeast(60), exact(40), atLeast(60)});
    EXPECT_DOUBLE_EQ(m->value, 60);
    EXPECT_TRUE(m->lower_bound);
    // Even count with one middle lower bound: at least the mean.
    m = median({exact(50), atLeast(60)});
    EXPECT_DOUBLE_EQ(m->value, 55);
    EXPECT_TRUE(m->lower_bound);
    // An exact value equal to a lower bound sorts first.
    m = median({atLeast(60), exact(60), atLeast(60)});
    EXPECT_TRUE(m->lower_bound);
}

TEST(BenchStatsTest, MedianIndexPicksTheLowerMiddleRun) {
    EXPECT_EQ(medianIndex({}), std::nullopt);
    EXPECT_EQ(medianIndex({exact(3), exact(1), exact(2)}), 2u);
    EXPECT_EQ(medianIndex({exact(4), exact(1), exact(3), exact(2)}), 3u);
    EXPECT_EQ(medianIndex({atLeast(60), exact(60), exact(1)}), 1u);
}

TEST(BenchStatsTest, Ratio) {
    auto r = ratio(exact(0.35), exact(7.0));
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(r->value, 0.05);
    EXPECT_EQ(r->bound, Ratio::Bound::Exact);
    EXPECT_EQ(formatRatio(*r), "0.0500");
    EXPECT_EQ(ratio(atLeast(60), exact(30))->bound, Ratio::Bound::AtLeast);
    EXPECT_EQ(formatRatio(*ratio(atLeast(60), exact(30))), ">=2.00");
    EXPECT_EQ(formatRatio(*ratio(exact(0.3), atLeast(60))), "<=0.00500");
    EXPECT_EQ(ratio(atLeast(1), atLeast(2)), std::nullopt);
    EXPECT_EQ(ratio(exact(1), exact(0)), std::nullopt);
}

TEST(BenchStatsTest, Formatting) {
    EXPECT_EQ(formatValue(0), "0");
    EXPECT_EQ(formatValue(0.35), "0.350");
    EXPECT_EQ(formatValue(0.0123), "0.0123");
    EXPECT_EQ(formatValue(7.049), "7.05");
    EXPECT_EQ(formatValue(68.24), "68.2");
    EXPECT_EQ(formatValue(768.4), "768");
    EXPECT_EQ(formatValue(12345.6), "12346");
    EXPECT_EQ(formatValue(-2.5), "-2.50");
    EXPECT_EQ(formatSample(atLeast(60)), ">60.0");
    EXPECT_EQ(formatSample(exact(0.3)), "0.300");
}

} // namespace
} // namespace pr
