#include "text.h"

#include "error.h"
#include "raii.h"

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

TEST(TextFormat, FormatsOneNumber) {
    EXPECT_EQ(format("%.0f MiB", 767.6), "768 MiB");
    EXPECT_EQ(format("%g s", 0.5), "0.5 s");
    EXPECT_EQ(format("%g %%", 95), "95 %");
}

TEST(TextFormat, TrimAndJoin) {
    EXPECT_EQ(trim(" \t a b\r\n"), "a b");
    EXPECT_EQ(trim(" \n"), "");
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join({}, ", "), "");
}

TEST(TextFile, WritesAndReadsBack) {
    TempDir dir;
    writeTextFile(dir.path() / "f.txt", "one\ntwo\n");
    EXPECT_EQ(slurp(dir.path() / "f.txt"), "one\ntwo\n");
    EXPECT_EQ(slurp(dir.path() / "missing"), "");
    EXPECT_THROW(writeTextFile(dir.path() / "no" / "f.txt", "x"), SetupError);
}

} // namespace
} // namespace pr
