#include "qmp_client.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace pr {

using nlohmann::json;

namespace {

UniqueFd connectUnix(const std::filesystem::path &path, std::chrono::milliseconds timeout,
                     const std::function<bool()> &give_up) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path)
        throw QmpTransportError("QMP socket path too long (max " +
                                std::to_string(sizeof addr.sun_path - 1) +
                                " bytes): " + path.string());
    std::strcpy(addr.sun_path, path.c_str());

    auto deadline = std::chrono::steady_clock::now() + timeout;
    int last_errno = 0;
    for (;;) {
        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd)
            throw QmpTransportError(errnoMessage("socket", errno));
        if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0)
            return fd;
        last_errno = errno;
        if (last_errno != ENOENT && last_errno != ECONNREFUSED && last_errno != EINTR &&
            last_errno != EAGAIN)
            break;
        if (give_up && give_up())
            throw QmpTransportError("gave up connecting to QMP socket " + path.string());
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw QmpTransportError(errnoMessage("cannot connect to QMP socket " + path.string() +
                                             " within " + std::to_string(timeout.count()) + " ms",
                                         last_errno));
}

} // namespace

QmpClient::QmpClient(const std::filesystem::path &socket_path, std::chrono::milliseconds timeout,
                     const std::function<bool()> &give_up)
    : fd_(connectUnix(socket_path, timeout, give_up)) {
    handshake(timeout);
}

QmpClient::QmpClient(UniqueFd connected, std::chrono::milliseconds timeout)
    : fd_(std::move(connected)) {
    handshake(timeout);
}

void QmpClient::handshake(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    auto greeting = readReply(deadline);
    if (!greeting)
        throw QmpTransportError("no QMP greeting within " + std::to_string(timeout.count()) +
                                " ms");
    if (!greeting->contains("QMP"))
        throw QmpTransportError("unexpected QMP greeting: " + greeting->dump());
    greeting_ = *greeting;
    execute("qmp_capabilities", json(), timeout);
}

void QmpClient::send(const json &message) {
    if (closed_)
        throw QmpTransportError("QMP connection is closed");
    std::string text = message.dump() + "\n";
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::send(fd_.get(), text.data() + off, text.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            closed_ = true;
            throw QmpTransportError(errnoMessage("QMP send failed", errno));
        }
        off += static_cast<std::size_t>(n);
    }
}

json QmpClient::execute(const std::string &command, const json &arguments,
                        std::chrono::milliseconds timeout) {
    long id = next_id_++;
    json request = {{"execute", command}, {"id", id}};
    if (!arguments.is_null())
        request["arguments"] = arguments;
    send(request);
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto reply = readReply(deadline);
        if (!reply)
            throw QmpTransportError("no reply to QMP command '" + command + "' within " +
                                    std::to_string(timeout.count()) + " ms");
        if (reply->contains("id") && (*reply)["id"] != id)
            continue; // a stale reply to an earlier command that timed out
        if (reply->contains("return"))
            return (*reply)["return"];
        if (reply->contains("error")) {
            const json &err = (*reply)["error"];
            throw QmpCommandError(command, err.value("class", "?"), err.value("desc", "?"));
        }
        throw QmpTransportError("unexpected QMP message: " + reply->dump());
    }
}

std::vector<QmpEvent> QmpClient::pollEvents() {
    while (!closed_ && fill(Clock::now())) {
    }
    while (auto line = takeLine()) {
        if (!line->contains("event"))
            replies_.push_back(std::move(*line));
    }
    return std::exchange(events_, {});
}

std::optional<json> QmpClient::takeLine() {
    for (;;) {
        auto nl = buffer_.find('\n');
        if (nl == std::string::npos)
            return std::nullopt;
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (line.find_first_not_of(" \r\t") == std::string::npos)
            continue;
        json message = json::parse(line, nullptr, false);
        if (message.is_discarded() || !message.is_object())
            throw QmpTransportError("malformed QMP message: " + line);
        if (message.contains("event")) {
            events_.push_back({Clock::now(), std::move(message)});
            continue;
        }
        return message;
    }
}

std::optional<json> QmpClient::readReply(Clock::time_point deadline) {
    for (;;) {
        if (!replies_.empty()) {
            json reply = std::move(replies_.front());
            replies_.erase(replies_.begin());
            return reply;
        }
        if (auto line = takeLine())
            return line;
        if (closed_)
            throw QmpTransportError("QEMU closed the QMP connection");
        if (!fill(deadline) && Clock::now() >= deadline)
            return std::nullopt;
    }
}

bool QmpClient::fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd pfd{fd_.get(), POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (r < 0) {
        if (errno == EINTR)
            return false;
        throw QmpTransportError(errnoMessage("poll on QMP socket", errno));
    }
    if (r == 0)
        return false;
    char chunk[4096];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return false;
        closed_ = true;
        return false;
    }
    if (n == 0) {
        closed_ = true;
        return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

} // namespace pr
