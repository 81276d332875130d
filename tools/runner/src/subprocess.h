// A child process started with fork/exec in its own process group.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL), so it dies if this process dies without
// cleaning up. The destructor always stops and reaps it: SIGTERM to the group, wait up
// to the grace period, SIGKILL, waitpid.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pr {

struct ExitStatus {
    bool signaled = false; // true: killed by signal `code`; false: exited with `code`
    int code = 0;

    bool success() const { return !signaled && code == 0; }
    std::string describe() const; // "exit code 1", "signal 9 (Killed)"
};

// The child's stdin is /dev/null.
struct SubprocessOptions {
    std::vector<std::string> argv; // argv[0] is looked up in PATH if it has no '/'
    std::optional<std::filesystem::path> output_path; // stdout+stderr (truncated); nullopt: inherit
};

class Subprocess {
public:
    // Throws SetupError if the output file cannot be opened or exec fails.
    explicit Subprocess(const SubprocessOptions &options);
    ~Subprocess();

    Subprocess(const Subprocess &) = delete;
    Subprocess &operator=(const Subprocess &) = delete;

    pid_t pid() const { return pid_; }
    // Non-blocking: the exit status once the child has exited. It is then reaped, and
    // anything it left running in its process group is killed.
    std::optional<ExitStatus> poll();
    // Waits up to `timeout` for the child to exit.
    std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
    // SIGTERM to the process group, up to `grace` for it to exit, then SIGKILL; always reaps.
    ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::seconds(2)) noexcept;

private:
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
};

// Resolves a program name like execvp would: names containing '/' are checked as given,
// others are searched in $PATH. Returns nullopt if no executable file is found.
std::optional<std::filesystem::path> findExecutable(const std::string &name);

} // namespace pr
