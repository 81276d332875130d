// Client for QEMU's QMP monitor over a unix socket.
//
// Reads the greeting, negotiates capabilities, then runs commands one at a time.
// Asynchronous events (SHUTDOWN, BALLOON_CHANGE, ...) can arrive at any point; they are
// recorded with their arrival time and handed out by pollEvents().
#pragma once

#include "raii.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pr {

// QEMU answered a command with {"error": {"class": ..., "desc": ...}}.
class QmpCommandError : public std::runtime_error {
public:
    QmpCommandError(const std::string &command, std::string error_class, const std::string &desc)
        : std::runtime_error("QMP command '" + command + "' failed: " + error_class + ": " + desc),
          class_(std::move(error_class)) {}
    const std::string &errorClass() const { return class_; }

private:
    std::string class_;
};

// The connection failed: refused, closed by QEMU, timed out, or garbage on the wire.
class QmpTransportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct QmpEvent {
    std::chrono::steady_clock::time_point received;
    nlohmann::json message; // the whole {"event": ..., "data": ..., "timestamp": ...} object
};

class QmpClient {
public:
    using Clock = std::chrono::steady_clock;

    // Connects to `socket_path`, retrying while the socket does not exist yet or refuses
    // connections, until `timeout` passes or `give_up()` returns true. Throws
    // QmpTransportError on failure.
    QmpClient(const std::filesystem::path &socket_path, std::chrono::milliseconds timeout,
              const std::function<bool()> &give_up = {});
    // Uses an already connected stream socket (tests use a socketpair).
    QmpClient(UniqueFd connected, std::chrono::milliseconds timeout);

    QmpClient(const QmpClient &) = delete;
    QmpClient &operator=(const QmpClient &) = delete;

    // Runs a command and returns its "return" value. Throws QmpCommandError on an "error"
    // reply, QmpTransportError on timeout or a closed connection.
    nlohmann::json execute(const std::string &command,
                           const nlohmann::json &arguments = nlohmann::json(),
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Reads whatever is available without blocking and returns every event received since
    // the previous call (including events that arrived while execute() waited).
    std::vector<QmpEvent> pollEvents();

    const nlohmann::json &greeting() const { return greeting_; }
    bool closed() const { return closed_; }
    // The socket, for poll() (readable: call pollEvents()); -1 once the connection closed.
    int fd() const { return closed_ ? -1 : fd_.get(); }

private:
    void handshake(std::chrono::milliseconds timeout);
    void send(const nlohmann::json &message);
    // Next non-event message, or nullopt once `deadline` passes. Events are stored.
    std::optional<nlohmann::json> readReply(Clock::time_point deadline);
    // Reads once from the socket (waiting at most until `deadline`) and parses complete
    // lines. Returns false on timeout.
    bool fill(Clock::time_point deadline);
    std::optional<nlohmann::json> takeLine();

    UniqueFd fd_;
    std::string buffer_;
    nlohmann::json greeting_;
    std::vector<QmpEvent> events_; // not handed out yet
    std::vector<nlohmann::json> replies_;
    long next_id_ = 1;
    bool closed_ = false;
};

} // namespace pr
