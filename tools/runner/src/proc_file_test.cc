#include "proc_file.h"

#include "error.h"

#include <csignal>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace pr {
namespace {

TEST(ProcFileTest, ReadsThisProcessAgainAndAgain) {
    ProcFile status(::getpid(), "status");
    std::string pid_line = "\nPid:\t" + std::to_string(::getpid()) + "\n";
    for (int i = 0; i < 3; ++i) {
        auto text = status.read();
        ASSERT_TRUE(text);
        EXPECT_EQ(text->substr(0, 5), "Name:");
        EXPECT_NE(text->find(pid_line), std::string_view::npos) << *text;
    }
}

TEST(ProcFileTest, MissingProcessThrows) {
    // Reap a child so that its pid names no process (pids are not reused that fast).
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
        ::_exit(0);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);
    EXPECT_THROW(ProcFile(child, "status"), SetupError);
}

// Kills and reaps a child unless the test did, so none outlives a failure.
struct ChildReaper {
    pid_t pid;
    ~ChildReaper() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

TEST(ProcFileTest, ReadFailsOnceTheProcessHasGone) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    ChildReaper reaper{child};
    ProcFile stat(child, "stat");
    EXPECT_TRUE(stat.read());
    ::kill(child, SIGKILL);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);
    reaper.pid = 0;
    EXPECT_EQ(stat.read(), std::nullopt);
}

} // namespace
} // namespace pr
