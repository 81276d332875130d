// What a run records over time: host RSS samples, guest markers, console lines.
// Times are seconds since QEMU was started.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pr {

// Guest markers: serial console lines of the form "@@PR <event> [word ...] [key=value ...]".
inline constexpr std::string_view kMarkerPrefix = "@@PR ";

struct Marker {
    std::string event;                       // first token, e.g. "result"
    std::vector<std::string> words;          // other tokens without '=', e.g. {"pass"}
    std::map<std::string, std::string> args; // key=value tokens, e.g. {"mib": "768"}
    std::string text;                        // everything after "@@PR ", trimmed

    std::optional<std::string> arg(const std::string &key) const;
};

// Finds "@@PR " anywhere in the line (kernel messages may precede it) and parses the rest.
// Tokens are separated by blanks; a double-quoted part keeps its blanks (reason="a b").
// A token is key=value when the part before '=' is a non-empty [A-Za-z0-9_.-]+ name.
// Returns nullopt if the line has no marker or the marker has no event.
std::optional<Marker> parseMarker(std::string_view line);

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
