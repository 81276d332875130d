// Reading /proc: one /proc/PID/<name> file, opened once and re-read from the start on every
// sample; and the "Key:<blanks>value" lines of /proc text files (/proc/PID/status,
// /proc/meminfo, /proc/cpuinfo).
#pragma once

#include "raii.h"

#include <array>
#include <optional>
#include <string_view>
#include <sys/types.h>

namespace pr {

class ProcFile {
public:
    // Opens /proc/@pid/@name; throws SetupError if the process does not exist.
    ProcFile(pid_t pid, std::string_view name);

    // The file's current text (up to 8 KiB), valid until the next read(); nullopt once
    // the process has gone.
    std::optional<std::string_view> read();

private:
    UniqueFd fd_;
    std::array<char, 8192> buf_{};
};

// The trimmed value of the first line whose trimmed key is @key.
std::optional<std::string_view> procField(std::string_view text, std::string_view key);

// The value of the first "@key: N kB" line, in KiB; nullopt if absent or
// not of that form.
std::optional<long> procKib(std::string_view text, std::string_view key);

} // namespace pr
