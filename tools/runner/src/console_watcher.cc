#include "console_watcher.h"

#include "error.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace pr {

namespace {
// A "line" longer than this without a newline is cut, so a runaway guest cannot make
// the runner buffer unbounded data.
constexpr std::size_t kMaxLine = 64 * 1024;
} // namespace

ConsoleWatcher::ConsoleWatcher(std::filesystem::path path) : path_(std::move(path)) {}

void ConsoleWatcher::readAvailable() {
    if (!fd_) {
        fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd_) {
            if (errno == ENOENT)
                return;
            throw SetupError(errnoMessage("cannot read console log " + path_.string(), errno));
        }
    }
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

ConsoleWatcher::Update ConsoleWatcher::takeLines(bool include_partial) {
    Update update;
    std::size_t start = 0;
    for (;;) {
        std::size_t nl = pending_.find('\n', start);
        std::size_t next;
        if (nl != std::string::npos) {
            next = nl + 1;
        } else {
            if (start == pending_.size() ||
                (pending_.size() - start < kMaxLine && !include_partial))
                break;
            nl = std::min(pending_.size(), start + kMaxLine);
            next = nl;
        }
        std::string line = pending_.substr(start, nl - start);
        start = next;
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
            line.pop_back();
        if (auto marker = parseMarker(line))
            update.markers.push_back(std::move(*marker));
        update.lines.push_back(std::move(line));
    }
    pending_.erase(0, start);
    return update;
}

ConsoleWatcher::Update ConsoleWatcher::poll() {
    readAvailable();
    return takeLines(false);
}

ConsoleWatcher::Update ConsoleWatcher::finish() {
    readAvailable();
    return takeLines(true);
}

} // namespace pr
