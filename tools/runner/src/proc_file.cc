#include "proc_file.h"

#include "error.h"
#include "text.h"

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

std::optional<std::string_view> procField(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key)
            return trim(line.substr(colon + 1));
    }
    return std::nullopt;
}

std::optional<long> procKib(std::string_view text, std::string_view key) {
    auto v = procField(text, key);
    if (!v)
        return std::nullopt;
    long kib = 0;
    std::size_t i = 0;
    for (; i < v->size() && (*v)[i] >= '0' && (*v)[i] <= '9'; ++i)
        kib = kib * 10 + ((*v)[i] - '0');
    if (i == 0 || trim(v->substr(i)) != "kB")
        return std::nullopt;
    return kib;
}

} // namespace pr
