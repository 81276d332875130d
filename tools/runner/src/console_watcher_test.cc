#include "console_watcher.h"
#include "temp_dir.h"

#include <fstream>
#include <gtest/gtest.h>

namespace pr {
namespace {

void append(const std::filesystem::path &p, const std::string &text) {
    std::ofstream out(p, std::ios::app | std::ios::binary);
    out << text;
}

TEST(ConsoleWatcherTest, MissingFileIsEmpty) {
    TempDir dir;
    ConsoleWatcher w(dir.path() / "console.log");
    auto u = w.poll();
    EXPECT_TRUE(u.lines.empty());
    EXPECT_TRUE(u.markers.empty());
}

TEST(ConsoleWatcherTest, ReadsIncrementallyAndHoldsPartialLines) {
    TempDir dir;
    auto log = dir.path() / "console.log";
    ConsoleWatcher w(log);
    append(log, "Linux version 6.12\r\n@@PR bo");
    auto u1 = w.poll();
    EXPECT_EQ(u1.lines, std::vector<std::string>{"Linux version 6.12"});
    EXPECT_TRUE(u1.markers.empty());

    append(log, "ot\r\n[ 1.0] x @@PR touched mib=768\ntail");
    auto u2 = w.poll();
    ASSERT_EQ(u2.lines.size(), 2u);
    EXPECT_EQ(u2.lines[0], "@@PR boot");
    ASSERT_EQ(u2.markers.size(), 2u);
    EXPECT_EQ(u2.markers[0].event, "boot");
    EXPECT_EQ(u2.markers[1].arg("mib"), "768");

    EXPECT_TRUE(w.poll().lines.empty());
    auto last = w.finish();
    EXPECT_EQ(last.lines, std::vector<std::string>{"tail"});
    EXPECT_TRUE(w.finish().lines.empty());
}

TEST(ConsoleWatcherTest, CutsRunawayLines) {
    TempDir dir;
    auto log = dir.path() / "console.log";
    ConsoleWatcher w(log);
    append(log, std::string(70 * 1024, 'x'));
    auto u = w.poll();
    ASSERT_EQ(u.lines.size(), 1u);
    EXPECT_EQ(u.lines[0].size(), 64u * 1024);
    EXPECT_EQ(w.finish().lines[0].size(), 6u * 1024);
}

} // namespace
} // namespace pr
