// Parsing of /proc text files made of "Key:<blanks>value" lines
// (/proc/PID/status, /proc/meminfo, /proc/cpuinfo).
#pragma once

#include <optional>
#include <string_view>

namespace pr {

// @s without leading and trailing blanks and line ends.
std::string_view trim(std::string_view s);

// The trimmed value of the first line whose trimmed key is @key.
std::optional<std::string_view> procField(std::string_view text, std::string_view key);

// The value of the first "@key: N kB" line, in KiB; nullopt if absent or
// not of that form.
std::optional<long> procKib(std::string_view text, std::string_view key);

} // namespace pr
