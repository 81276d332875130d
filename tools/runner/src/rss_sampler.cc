#include "rss_sampler.h"

#include "proc_text.h"

namespace pr {

std::optional<long> parseVmRssKib(std::string_view text) { return procKib(text, "VmRSS"); }

std::optional<std::pair<long, long>> parseAnonKib(std::string_view text) {
    auto anon = procKib(text, "Anonymous"), huge = procKib(text, "AnonHugePages");
    if (!anon || !huge)
        return std::nullopt;
    return std::pair{*anon, *huge};
}

ThpSampler::ThpSampler(pid_t pid) : smaps_(pid, "smaps_rollup") {}

std::optional<std::pair<double, double>> ThpSampler::sampleMib() {
    auto text = smaps_.read();
    if (!text)
        return std::nullopt;
    auto kib = parseAnonKib(*text);
    if (!kib)
        return std::nullopt;
    return std::pair{kib->first / 1024.0, kib->second / 1024.0};
}

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
