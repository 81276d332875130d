#include "console.h"

#include "error.h"
#include "raii.h"
#include "text.h"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace pr {
namespace {

// A console watcher reading one end of a socket pair; the test writes to the other.
struct Pair {
    Pair() {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
        guest.reset(sv[0]);
        watcher.emplace(UniqueFd(sv[1]), dir.path() / "console.log");
    }
    void write(const std::string &text) {
        ASSERT_EQ(::write(guest.get(), text.data(), text.size()),
                  static_cast<ssize_t>(text.size()));
    }
    TempDir dir;
    UniqueFd guest;
    std::optional<ConsoleWatcher> watcher;
};

TEST(ConsoleWatcherTest, NothingYetIsEmpty) {
    Pair p;
    auto u = p.watcher->read(0.5);
    EXPECT_TRUE(u.lines.empty());
    EXPECT_TRUE(u.markers.empty());
    EXPECT_GE(p.watcher->fd(), 0);
}

TEST(ConsoleWatcherTest, StampsLinesWhenReadAndHoldsPartialLines) {
    Pair p;
    p.write("Linux version 6.12\r\n@@PR bo");
    auto u1 = p.watcher->read(1.25);
    EXPECT_EQ(u1.lines, std::vector<std::string>{"Linux version 6.12"});
    EXPECT_TRUE(u1.markers.empty());

    p.write("ot\r\n[ 1.0] x @@PR touched mib=768\ntail");
    auto u2 = p.watcher->read(2.5);
    ASSERT_EQ(u2.lines.size(), 2u);
    EXPECT_EQ(u2.lines[0], "@@PR boot");
    ASSERT_EQ(u2.markers.size(), 2u);
    EXPECT_EQ(u2.markers[0].marker.event, "boot");
    EXPECT_DOUBLE_EQ(u2.markers[0].t, 2.5); // completed by the read at 2.5, not 1.25
    EXPECT_EQ(u2.markers[1].marker.arg("mib"), "768");

    EXPECT_TRUE(p.watcher->read(3).lines.empty());
    p.guest.reset(); // QEMU exits
    auto last = p.watcher->finish(4);
    EXPECT_EQ(last.lines, std::vector<std::string>{"tail"});
    EXPECT_EQ(p.watcher->fd(), -1);
    EXPECT_TRUE(p.watcher->finish(5).lines.empty());
    // console.log has every byte as it came.
    EXPECT_EQ(slurp(p.dir.path() / "console.log"),
              "Linux version 6.12\r\n@@PR boot\r\n[ 1.0] x @@PR touched mib=768\ntail");
}

TEST(ConsoleWatcherTest, CutsRunawayLines) {
    Pair p;
    std::string big(70 * 1024, 'x');
    std::size_t off = 0;
    std::vector<std::string> lines;
    while (off < big.size()) { // the socket buffer may take less than all of it at once
        ssize_t n = ::write(p.guest.get(), big.data() + off, big.size() - off);
        if (n > 0)
            off += static_cast<std::size_t>(n);
        for (auto &l : p.watcher->read(1).lines)
            lines.push_back(l);
    }
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].size(), 64u * 1024);
    EXPECT_EQ(p.watcher->finish(2).lines[0].size(), 6u * 1024);
}

TEST(ConsoleWatcherTest, UnwritableLogIsASetupError) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    UniqueFd other(sv[0]);
    EXPECT_THROW(ConsoleWatcher(UniqueFd(sv[1]), "/no/such/dir/console.log"), SetupError);
}

using namespace std::chrono_literals;

UniqueFd connectTo(const std::filesystem::path &path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0)
        << std::strerror(errno);
    return fd;
}

TEST(UnixListenerTest, DataWrittenBeforeTheAcceptIsKept) {
    TempDir dir;
    auto path = dir.path() / "console.sock";
    {
        UnixListener listener(path);
        UniqueFd client = connectTo(path);
        ASSERT_EQ(::write(client.get(), "early\n", 6), 6);
        UniqueFd conn = listener.accept(1s);
        ASSERT_TRUE(conn);
        char buf[16] = {};
        EXPECT_EQ(::read(conn.get(), buf, sizeof buf), 6);
        EXPECT_STREQ(buf, "early\n");
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path)); // removed with the listener
}

TEST(UnixListenerTest, TimesOutOrGivesUp) {
    TempDir dir;
    UnixListener listener(dir.path() / "x.sock");
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(listener.accept(50ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(listener.accept(10s, [] { return true; }));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(UnixListenerTest, ReplacesAStaleSocketAndRejectsLongPaths) {
    TempDir dir;
    auto path = dir.path() / "x.sock";
    { std::ofstream(path.string()) << "stale"; }
    EXPECT_NO_THROW(UnixListener{path});
    EXPECT_THROW(UnixListener(dir.path() / std::string(120, 'a')), SetupError);
}

} // namespace
} // namespace pr
