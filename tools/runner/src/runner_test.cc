#include "runner.h"

#include <gtest/gtest.h>
#include <sstream>

namespace pr {
namespace {

TEST(TimelineTest, FormatsLine) {
    EXPECT_EQ(Timeline::formatLine(12.04, 523.44, {"touch-begin", "touched mib=768"}),
              "    12.0 s     523.4 MiB  touch-begin | touched mib=768");
    EXPECT_EQ(Timeline::formatLine(0.5, std::nullopt, {}), "     0.5 s         - MiB");
}

TEST(TimelineTest, OneLinePerSecondAndFlush) {
    std::ostringstream out;
    Timeline t(out, true);
    t.tick(0.5, 10);
    t.note("boot");
    t.tick(0.95, 10);
    EXPECT_EQ(out.str(), "");
    t.tick(1.0, 11);
    t.tick(1.5, 11);
    t.tick(3.2, 12);  // a slow tick: one line, not three
    t.flush(3.3, 12); // nothing noted since
    t.note("done");
    t.flush(3.4, 12);
    EXPECT_EQ(out.str(), "     1.0 s      11.0 MiB  boot\n"
                         "     3.2 s      12.0 MiB\n"
                         "     3.4 s      12.0 MiB  done\n");
}

TEST(TimelineTest, DisabledPrintsNothing) {
    std::ostringstream out;
    Timeline t(out, false);
    t.note("x");
    t.tick(5, 1);
    t.flush(6, 1);
    EXPECT_EQ(out.str(), "");
}

} // namespace
} // namespace pr
