// Samples the CPU time (user + system, all threads) of one process from /proc/PID/stat.
#pragma once

#include "proc_file.h"

#include <optional>
#include <string_view>
#include <sys/types.h>

namespace pr {

// utime + stime, in clock ticks, from a /proc/PID/stat text (fields 14 and 15). The
// command name in parentheses may hold blanks and parentheses, so fields are counted from
// the last ')'. Returns nullopt if the text is malformed.
std::optional<long long> parseStatCpuTicks(std::string_view stat_text);

class CpuSampler {
public:
    // Opens /proc/PID/stat once; throws SetupError if the process does not exist.
    explicit CpuSampler(pid_t pid);

    // CPU time used so far in seconds, or nullopt once the process has gone.
    std::optional<double> sampleSeconds();

private:
    ProcFile stat_;
    double ticks_per_s_;
};

} // namespace pr
