#include "rss_sampler.h"

#include "proc_text.h"

namespace pr {

std::optional<long> parseVmRssKib(std::string_view text) { return procKib(text, "VmRSS"); }

RssSampler::RssSampler(pid_t pid) : status_(pid, "status") {}

std::optional<double> RssSampler::sampleMib() {
    auto text = status_.read();
    if (!text)
        return std::nullopt;
    auto kib = parseVmRssKib(*text);
    if (!kib)
        return std::nullopt;
    return static_cast<double>(*kib) / 1024.0;
}

} // namespace pr
