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

ConsoleWatcher::ConsoleWatcher(UniqueFd stream, const std::filesystem::path &log)
    : stream_(std::move(stream)),
      log_(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)), log_path_(log) {
    if (!log_)
        throw SetupError(errnoMessage("cannot write console log " + log.string(), errno));
}

void ConsoleWatcher::appendToLog(const char *data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(log_.get(), data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw SetupError(errnoMessage("cannot write console log " + log_path_.string(), errno));
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void ConsoleWatcher::readAvailable() {
    char buf[16384];
    while (stream_) {
        ssize_t n = ::read(stream_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) { // QEMU closed its end (or the socket failed): nothing more will come
            stream_.reset();
            return;
        }
        appendToLog(buf, static_cast<std::size_t>(n));
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

ConsoleWatcher::Update ConsoleWatcher::takeLines(double now, bool include_partial) {
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
            update.markers.push_back({now, std::move(*marker)});
        update.lines.push_back(std::move(line));
    }
    pending_.erase(0, start);
    return update;
}

ConsoleWatcher::Update ConsoleWatcher::read(double now) {
    readAvailable();
    return takeLines(now, false);
}

ConsoleWatcher::Update ConsoleWatcher::finish(double now) {
    readAvailable();
    return takeLines(now, true);
}

} // namespace pr
