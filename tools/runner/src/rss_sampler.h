// Samples the resident set size of one process from /proc/PID/status.
#pragma once

#include "proc_file.h"

#include <optional>
#include <utility>
#include <string_view>
#include <sys/types.h>

namespace pr {

// Parses the "VmRSS:   123456 kB" line of a /proc/PID/status text. Returns KiB, or
// nullopt if the line is missing (kernel threads, zombies) or malformed.
std::optional<long> parseVmRssKib(std::string_view status_text);

// Parses the "Anonymous:" and "AnonHugePages:" lines of a /proc/PID/smaps_rollup text,
// in KiB; nullopt if either is missing.
std::optional<std::pair<long, long>> parseAnonKib(std::string_view smaps_rollup_text);

// Samples how much of a process's anonymous memory is backed by transparent huge pages.
// Reading smaps_rollup walks the process's page tables, so it is sampled sparingly.
class ThpSampler {
public:
    explicit ThpSampler(pid_t pid);

    // {Anonymous, AnonHugePages} in MiB, or nullopt once the process has gone.
    std::optional<std::pair<double, double>> sampleMib();

private:
    ProcFile smaps_;
};

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
