#include "text_format.h"

#include <gtest/gtest.h>

#include <regex>

namespace pr {
namespace {

TEST(TextFormat, FixedRoundsToTheGivenDecimals) {
    EXPECT_EQ(fixed(0.25, 3), "0.250");
    EXPECT_EQ(fixed(2.0 / 3.0, 2), "0.67");
    EXPECT_EQ(fixed(764.4, 0), "764");
}

TEST(TextFormat, UtcNowIsAnIso8601UtcTimestamp) {
    EXPECT_TRUE(std::regex_match(utcNow(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

} // namespace
} // namespace pr
