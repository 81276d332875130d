#include "unique_fd.h"

#include <cstring>
#include <unistd.h>

namespace pr {

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0 && fd_ != fd)
        ::close(fd_);
    fd_ = fd;
}

std::string errnoMessage(const std::string &what, int err) {
    return what + ": " + std::strerror(err);
}

} // namespace pr
