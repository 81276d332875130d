#include "proc_file.h"

#include "error.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace pr {

ProcFile::ProcFile(pid_t pid, std::string_view name) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + std::string(name);
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_)
        throw SetupError(errnoMessage("cannot open " + path, errno));
}

std::optional<std::string_view> ProcFile::read() {
    ssize_t n = ::pread(fd_.get(), buf_.data(), buf_.size(), 0);
    if (n <= 0)
        return std::nullopt;
    return std::string_view(buf_.data(), static_cast<std::size_t>(n));
}

} // namespace pr
