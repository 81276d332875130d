#include "subprocess.h"

#include "error.h"
#include "raii.h"
#include "text.h"

#include <csignal>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>

namespace pr {
namespace {

using namespace std::chrono_literals;

// True once `pid` no longer runs: gone, or a zombie waiting for its (new) parent.
bool goneOrZombie(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat)
        return true;
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = all.rfind(')');
    return close != std::string::npos && close + 2 < all.size() && all[close + 2] == 'Z';
}

TEST(SubprocessTest, ExitCodeAndOutput) {
    TempDir dir;
    Subprocess p({{"sh", "-c", "echo out; echo err >&2; exit 3"}, dir.path() / "log"});
    auto st = p.wait(5s);
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->signaled);
    EXPECT_EQ(st->code, 3);
    EXPECT_EQ(st->describe(), "exit code 3");
    EXPECT_EQ(slurp(dir.path() / "log"), "out\nerr\n");
}

TEST(SubprocessTest, ExecFailureThrows) {
    try {
        Subprocess p({{"/nonexistent/qemu"}, std::nullopt});
        ADD_FAILURE();
    } catch (const SetupError &e) {
        EXPECT_NE(std::string(e.what()).find("cannot run /nonexistent/qemu"), std::string::npos);
    }
}

TEST(SubprocessTest, DestructorKillsAndReaps) {
    pid_t pid;
    {
        Subprocess p({{"sleep", "100"}, std::nullopt});
        pid = p.pid();
        EXPECT_FALSE(p.poll());
    }
    EXPECT_EQ(::kill(pid, 0), -1); // reaped: not even a zombie left
    EXPECT_EQ(errno, ESRCH);
}

TEST(SubprocessTest, TerminateEscalatesToSigkill) {
    TempDir dir;
    auto ready = dir.path() / "ready";
    Subprocess p(
        {{"sh", "-c", "trap '' TERM; touch " + ready.string() + "; while :; do sleep 1; done"},
         std::nullopt});
    while (!std::filesystem::exists(ready))
        std::this_thread::sleep_for(10ms);
    auto start = std::chrono::steady_clock::now();
    ExitStatus st = p.terminate(200ms);
    EXPECT_TRUE(st.signaled);
    EXPECT_EQ(st.code, SIGKILL);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SubprocessTest, KillsTheWholeProcessGroup) {
    TempDir dir;
    auto pidfile = dir.path() / "pid";
    pid_t grandchild = 0;
    {
        Subprocess p(
            {{"sh", "-c", "sleep 100 & echo $! > " + pidfile.string() + "; wait"}, std::nullopt});
        for (int i = 0; i < 500 && slurp(pidfile).empty(); ++i)
            std::this_thread::sleep_for(10ms);
        grandchild = std::stoi(slurp(pidfile));
    }
    for (int i = 0; i < 200 && !goneOrZombie(grandchild); ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(goneOrZombie(grandchild));
}

TEST(SubprocessTest, FindExecutable) {
    EXPECT_TRUE(findExecutable("sh"));
    EXPECT_FALSE(findExecutable("pr-runner-no-such-binary"));
    EXPECT_TRUE(findExecutable("/bin/sh"));
    EXPECT_FALSE(findExecutable("/etc/passwd"));
    EXPECT_FALSE(findExecutable(""));
}

} // namespace
} // namespace pr
