#include "subprocess.h"

#include "error.h"
#include "raii.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pr {

std::string ExitStatus::describe() const {
    return signaled ? "signal " + std::to_string(code) + " (" + strsignal(code) + ")"
                    : "exit code " + std::to_string(code);
}

namespace {

// Waits for `pid` to exit and reaps it; "signal 9" if it cannot be (reaped elsewhere).
ExitStatus reap(pid_t pid) {
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r != pid)
        return {true, SIGKILL};
    if (WIFSIGNALED(status))
        return {true, WTERMSIG(status)};
    return {false, WEXITSTATUS(status)};
}

UniqueFd openOrThrow(const std::filesystem::path &path, int flags, const char *role) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
    if (!fd)
        throw SetupError(
            errnoMessage(std::string("cannot open ") + role + " " + path.string(), errno));
    return fd;
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void execChild(char *const argv[], int in_fd, int out_fd, int err_pipe, pid_t parent) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) // the parent died before prctl took effect
        ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in_fd, STDIN_FILENO) < 0)
        goto fail;
    if (out_fd >= 0 && (::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(out_fd, STDERR_FILENO) < 0))
        goto fail;
    ::execvp(argv[0], argv);
fail:
    int err = errno;
    (void)!::write(err_pipe, &err, sizeof err);
    ::_exit(127);
}

} // namespace

Subprocess::Subprocess(const SubprocessOptions &options) {
    if (options.argv.empty())
        throw SetupError("Subprocess: empty argv");
    std::vector<std::string> args = options.argv;
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    UniqueFd in = openOrThrow("/dev/null", O_RDONLY, "input file");
    UniqueFd out;
    if (options.output_path)
        out = openOrThrow(*options.output_path, O_WRONLY | O_CREAT | O_TRUNC, "output file");

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0)
        throw SetupError(errnoMessage("pipe2", errno));
    UniqueFd err_read(pipefd[0]), err_write(pipefd[1]);

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
        throw SetupError(errnoMessage("fork", errno));
    if (pid == 0)
        execChild(argv.data(), in.get(), out.get(), err_write.get(), parent);

    pid_ = pid;
    ::setpgid(pid_, pid_); // also done in the child; whichever runs first wins the race
    err_write.reset();
    int child_errno = 0;
    ssize_t n;
    do {
        n = ::read(err_read.get(), &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        status_ = reap(pid_);
        throw SetupError(errnoMessage("cannot run " + options.argv[0], child_errno));
    }
}

Subprocess::~Subprocess() { terminate(); }

std::optional<ExitStatus> Subprocess::poll() {
    if (status_)
        return status_;
    // Look without reaping first: while the leader is a zombie its process group id cannot
    // be reused, so anything it left in the group can be killed safely before the reap.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno == ECHILD) // reaped elsewhere; treat as gone
            status_ = ExitStatus{true, SIGKILL};
        return status_;
    }
    if (info.si_pid == 0)
        return std::nullopt;
    ::kill(-pid_, SIGKILL);
    status_ = reap(pid_);
    return status_;
}

std::optional<ExitStatus> Subprocess::wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

ExitStatus Subprocess::terminate(std::chrono::milliseconds grace) noexcept {
    if (poll())
        return *status_;
    ::kill(-pid_, SIGTERM);
    ::kill(pid_, SIGTERM); // in case setpgid lost a race
    if (!wait(grace)) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        status_ = reap(pid_);
    }
    return *status_;
}

std::optional<std::filesystem::path> findExecutable(const std::string &name) {
    auto usable = [](const std::filesystem::path &p) {
        struct stat st;
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
    };
    if (name.empty())
        return std::nullopt;
    if (name.find('/') != std::string::npos)
        return usable(name) ? std::optional<std::filesystem::path>(name) : std::nullopt;
    const char *path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos)
            end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        if (usable(candidate))
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

} // namespace pr
