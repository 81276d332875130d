// Guest markers: serial console lines of the form "@@PR <event> [word ...] [key=value ...]".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pr {

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

} // namespace pr
