// Text helpers shared by the runner: numbers and times as text, trimming and joining
// strings, whole text files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pr {

// @v formatted by the printf format @fmt, e.g. format("%.0f MiB", 767.6) == "768 MiB".
std::string format(const char *fmt, double v);

// @v with exactly @decimals digits after the point, e.g. fixed(0.25, 3) == "0.250".
std::string fixed(double v, int decimals);

// The current time as an ISO 8601 UTC timestamp, e.g. "2026-11-25T12:54:41Z".
std::string utcNow();

// @s without leading and trailing blanks and line ends.
std::string_view trim(std::string_view s);

// The items with @sep between them, e.g. join({"a", "b"}, ", ") == "a, b".
std::string join(const std::vector<std::string> &items, const std::string &sep);

// The file's bytes; empty if it cannot be read.
std::string slurp(const std::filesystem::path &p);

// Writes @text to @path, throwing SetupError on failure.
void writeTextFile(const std::filesystem::path &path, const std::string &text);

} // namespace pr
