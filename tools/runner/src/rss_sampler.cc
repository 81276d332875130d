#include "rss_sampler.h"

#include "error.h"
#include "proc_text.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace pr {

std::optional<long> parseVmRssKib(std::string_view text) { return procKib(text, "VmRSS"); }

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
