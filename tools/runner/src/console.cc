#include "console.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace pr {

UnixListener::UnixListener(std::filesystem::path path) : path_(std::move(path)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.native().size() >= sizeof addr.sun_path)
        throw SetupError("unix socket path too long (max " +
                         std::to_string(sizeof addr.sun_path - 1) + " bytes): " + path_.string());
    std::strcpy(addr.sun_path, path_.c_str());
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd_)
        throw SetupError(errnoMessage("socket", errno));
    ::unlink(path_.c_str());
    if (::bind(fd_.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        throw SetupError(errnoMessage("cannot bind unix socket " + path_.string(), errno));
    if (::listen(fd_.get(), 1) != 0)
        throw SetupError(errnoMessage("cannot listen on unix socket " + path_.string(), errno));
}

UnixListener::~UnixListener() {
    fd_.reset();
    ::unlink(path_.c_str());
}

UniqueFd UnixListener::accept(std::chrono::milliseconds timeout,
                              const std::function<bool()> &give_up) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        UniqueFd conn(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (conn)
            return conn;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            throw SetupError(errnoMessage("accept on " + path_.string(), errno));
        if ((give_up && give_up()) || std::chrono::steady_clock::now() >= deadline)
            return UniqueFd();
        pollfd pfd{fd_.get(), POLLIN, 0};
        ::poll(&pfd, 1, 20);
    }
}

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
