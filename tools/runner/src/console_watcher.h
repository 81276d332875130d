// Reads the serial console as QEMU writes it (a socket QEMU connected to), copies every
// byte to console.log, splits the stream into lines and picks out guest markers, each
// stamped with the time its line was read.
#pragma once

#include "run_record.h"
#include "unique_fd.h"

#include <filesystem>
#include <string>
#include <vector>

namespace pr {

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
