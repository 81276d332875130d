// What a run records over time: host RSS samples, guest markers, console lines.
// Times are seconds since QEMU was started.
#pragma once

#include "marker.h"

#include <optional>
#include <string>
#include <vector>

namespace pr {

struct RssSample {
    double t;   // seconds since start
    double mib; // host RSS of the QEMU process
    std::optional<double> cpu_s =
        std::nullopt; // utime + stime of QEMU so far (all threads), if known
    // From /proc/PID/smaps_rollup, on the samples that read it (about once a second, and
    // only for scenarios that look at huge pages): anonymous memory, and how much of it is
    // backed by transparent huge pages.
    std::optional<double> anon_mib = std::nullopt;
    std::optional<double> anon_huge_mib = std::nullopt;
};

struct TimedMarker {
    double t; // host time the line was read, seconds since start
    Marker marker;
};

struct RunRecord {
    std::vector<RssSample> samples;
    std::vector<TimedMarker> markers;
    std::vector<std::string> console_lines;
};

} // namespace pr
