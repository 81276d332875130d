#include "unix_listener.h"

#include "error.h"

#include <cerrno>
#include <cstring>
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

} // namespace pr
