// A listening unix stream socket, for a child (QEMU) that connects to us as a client, so
// nothing it writes after starting is lost however late we accept. The socket file is
// removed on destruction.
#pragma once

#include "unique_fd.h"

#include <chrono>
#include <filesystem>
#include <functional>

namespace pr {

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

} // namespace pr
