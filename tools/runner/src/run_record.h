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
