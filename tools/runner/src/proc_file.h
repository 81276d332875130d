// One /proc/PID/<name> file, opened once and re-read from the start on every sample.
#pragma once

#include "unique_fd.h"

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

} // namespace pr
