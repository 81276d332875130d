#include "rss_sampler.h"

#include "error.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace pr {

std::optional<long> parseVmRssKib(std::string_view text) {
    constexpr std::string_view key = "VmRSS:";
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.substr(0, key.size()) != key)
            continue;
        line.remove_prefix(key.size());
        std::size_t i = line.find_first_not_of(" \t");
        if (i == std::string_view::npos)
            return std::nullopt;
        long value = 0;
        bool any = false;
        for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
            value = value * 10 + (line[i] - '0');
            any = true;
        }
        if (!any)
            return std::nullopt;
        std::string_view unit = line.substr(i);
        unit.remove_prefix(std::min(unit.find_first_not_of(" \t"), unit.size()));
        if (unit.substr(0, 2) != "kB")
            return std::nullopt;
        return value;
    }
    return std::nullopt;
}

RssSampler::RssSampler(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/status";
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_)
        throw SetupError(errnoMessage("cannot open " + path, errno));
}

std::optional<double> RssSampler::sampleMib() {
    char buf[8192];
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf - 1, 0);
    if (n <= 0)
        return std::nullopt;
    auto kib = parseVmRssKib(std::string_view(buf, static_cast<std::size_t>(n)));
    if (!kib)
        return std::nullopt;
    return static_cast<double>(*kib) / 1024.0;
}

} // namespace pr
