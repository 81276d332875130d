// Follows the serial console log QEMU writes: reads what was appended since the last
// call, splits it into lines and picks out guest markers.
#pragma once

#include "marker.h"
#include "unique_fd.h"

#include <filesystem>
#include <string>
#include <vector>

namespace pr {

class ConsoleWatcher {
public:
    struct Update {
        std::vector<std::string> lines; // complete new lines, without "\r\n"
        std::vector<Marker> markers;    // markers found in those lines, in order
    };

    // The file may not exist yet; it is opened on the first poll that finds it.
    explicit ConsoleWatcher(std::filesystem::path path);

    // New complete lines since the previous call.
    Update poll();
    // Like poll(), and also returns a trailing line that has no newline yet. For the end of
    // the run, after QEMU has exited.
    Update finish();

    const std::filesystem::path &path() const { return path_; }

private:
    void readAvailable();
    Update takeLines(bool include_partial);

    std::filesystem::path path_;
    UniqueFd fd_;
    std::string pending_;
};

} // namespace pr
