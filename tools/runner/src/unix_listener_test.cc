#include "unix_listener.h"

#include "error.h"
#include "temp_dir.h"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace pr {
namespace {

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
