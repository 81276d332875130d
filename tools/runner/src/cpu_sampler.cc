#include "cpu_sampler.h"

#include <unistd.h>

namespace pr {

std::optional<long long> parseStatCpuTicks(std::string_view text) {
    std::size_t close = text.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    // After "pid (comm)" come field 3 (state), 4, ...; utime and stime are 14 and 15.
    std::string_view rest = text.substr(close + 1);
    long long values[2] = {0, 0};
    int field = 2;
    std::size_t pos = 0;
    while (field < 15) {
        pos = rest.find_first_not_of(" \n", pos);
        if (pos == std::string_view::npos)
            return std::nullopt;
        std::size_t end = rest.find_first_of(" \n", pos);
        if (end == std::string_view::npos)
            end = rest.size();
        ++field;
        if (field >= 14) {
            std::string_view token = rest.substr(pos, end - pos);
            long long v = 0;
            for (char c : token) {
                if (c < '0' || c > '9')
                    return std::nullopt;
                v = v * 10 + (c - '0');
            }
            values[field - 14] = v;
        }
        pos = end;
    }
    return values[0] + values[1];
}

CpuSampler::CpuSampler(pid_t pid)
    : stat_(pid, "stat"), ticks_per_s_(static_cast<double>(::sysconf(_SC_CLK_TCK))) {
    if (!(ticks_per_s_ > 0))
        ticks_per_s_ = 100;
}

std::optional<double> CpuSampler::sampleSeconds() {
    auto text = stat_.read();
    if (!text)
        return std::nullopt;
    auto ticks = parseStatCpuTicks(*text);
    if (!ticks)
        return std::nullopt;
    return static_cast<double>(*ticks) / ticks_per_s_;
}

} // namespace pr
