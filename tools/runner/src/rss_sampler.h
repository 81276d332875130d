// Samples the resident set size of one process from /proc/PID/status.
#pragma once

#include "proc_file.h"

#include <optional>
#include <string_view>
#include <sys/types.h>

namespace pr {

// Parses the "VmRSS:   123456 kB" line of a /proc/PID/status text. Returns KiB, or
// nullopt if the line is missing (kernel threads, zombies) or malformed.
std::optional<long> parseVmRssKib(std::string_view status_text);

class RssSampler {
public:
    // Opens /proc/PID/status once; throws SetupError if the process does not exist.
    explicit RssSampler(pid_t pid);

    // Current RSS in MiB, or nullopt once the process has gone.
    std::optional<double> sampleMib();

private:
    ProcFile status_;
};

} // namespace pr
