// The machine a benchmark ran on, for the method section of its report.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pr {

struct HostInfo {
    long nproc = 0;           // online CPUs
    std::string cpu_model;    // "model name" of /proc/cpuinfo
    double ram_gib = 0;       // MemTotal
    std::string host_kernel;  // "Linux 6.1.0-18-amd64"
    std::string qemu_version; // first line of `qemu --version`
};

// The first "model name : ..." of a /proc/cpuinfo text; empty if there is none.
std::string parseCpuModel(std::string_view cpuinfo);
// MemTotal in KiB from a /proc/meminfo text.
std::optional<long> parseMemTotalKib(std::string_view meminfo);

// "0.52 0.61 0.70": the 1, 5 and 15 minute load averages of a /proc/loadavg text.
std::string parseLoadAverage(std::string_view loadavg);
// The same for this machine now; empty if unreadable.
std::string loadAverage();

// Reads /proc and runs `qemu --version`; fields it cannot find stay empty (never throws).
HostInfo collectHostInfo(const std::string &qemu);

} // namespace pr
