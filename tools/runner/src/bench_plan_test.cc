#include "bench_plan.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

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
