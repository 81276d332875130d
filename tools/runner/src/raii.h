// Owners of operating system resources, released in their destructors: a file descriptor,
// a temporary directory, the signal handlers of a run.
#pragma once

#include <csignal>
#include <filesystem>
#include <string>
#include <utility>

namespace pr {

// Owning file descriptor: closed exactly once, in the destructor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }

    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    UniqueFd(UniqueFd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

// A private directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
public:
    explicit TempDir(const std::string &prefix = "pr-runner");
    ~TempDir();

    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Catches SIGINT, SIGTERM and SIGHUP for the lifetime of the object so the run loop can
// stop QEMU and write its results; restores the previous handlers afterwards. Guards nest
// (a bench holds one around its runs): an inner guard keeps a signal caught before it.
class SignalGuard {
public:
    SignalGuard();
    ~SignalGuard();

    SignalGuard(const SignalGuard &) = delete;
    SignalGuard &operator=(const SignalGuard &) = delete;

    // The first signal caught, or 0.
    static int caught();
    // Restores the default action and re-sends the caught signal to this process, so the
    // caller (e.g. a shell loop) sees that we were interrupted. Returns if none was caught.
    static void reraise();

private:
    struct sigaction old_int_, old_term_, old_hup_;
};

} // namespace pr
