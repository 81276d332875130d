// The serial console of the guest. QEMU connects it, as a client, to a unix socket the runner
// listens on, so nothing it writes after starting is lost however late the runner accepts.
// The watcher reads it as QEMU writes it, copies every byte to console.log, splits the
// stream into lines and picks out guest markers, each stamped with the time its line was read.
#pragma once

#include "raii.h"
#include "run_record.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pr {

// A listening unix stream socket; the socket file is removed on destruction.
class UnixListener {
public:
    // Binds and listens at `path` (a stale socket file there is replaced). Throws SetupError.
    explicit UnixListener(std::filesystem::path path);
    ~UnixListener();

    UnixListener(const UnixListener &) = delete;
    UnixListener &operator=(const UnixListener &) = delete;

    // The first connection, non-blocking; an invalid fd if none came within `timeout` or
    // `give_up()` returned true first (checked every 20 ms).
    UniqueFd accept(std::chrono::milliseconds timeout, const std::function<bool()> &give_up = {});

    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
};

class ConsoleWatcher {
public:
    struct Update {
        std::vector<std::string> lines;   // complete new lines, without "\r\n"
        std::vector<TimedMarker> markers; // markers found in those lines, in order
    };

    // `stream`: connected and non-blocking. `log` is created (or truncated). Throws
    // SetupError if it cannot be.
    ConsoleWatcher(UniqueFd stream, const std::filesystem::path &log);

    // The stream, for poll(); -1 once QEMU has closed it.
    int fd() const { return stream_.get(); }
    // Reads whatever has arrived, without blocking; the lines it completes are stamped `now`.
    Update read(double now);
    // Like read(), and also returns a trailing line that has no newline yet. For the end of
    // the run, after QEMU has exited.
    Update finish(double now);

private:
    void readAvailable();
    void appendToLog(const char *data, std::size_t size);
    Update takeLines(double now, bool include_partial);

    UniqueFd stream_;
    UniqueFd log_;
    std::filesystem::path log_path_;
    std::string pending_;
};

} // namespace pr
