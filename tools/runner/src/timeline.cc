#include "timeline.h"

#include <cmath>
#include <cstdio>

namespace pr {

std::string Timeline::formatLine(double now, std::optional<double> rss_mib,
                                 const std::vector<std::string> &notes) {
    char buf[64];
    if (rss_mib)
        std::snprintf(buf, sizeof buf, "%8.1f s  %8.1f MiB", now, *rss_mib);
    else
        std::snprintf(buf, sizeof buf, "%8.1f s  %8s MiB", now, "-");
    std::string line = buf;
    for (std::size_t i = 0; i < notes.size(); ++i)
        line += (i == 0 ? "  " : " | ") + notes[i];
    return line;
}

void Timeline::print(double now, std::optional<double> rss_mib) {
    next_ = std::floor(now) + 1.0;
    if (enabled_)
        out_ << formatLine(now, rss_mib, notes_) << std::endl;
    notes_.clear();
}

void Timeline::tick(double now, std::optional<double> rss_mib) {
    if (now >= next_)
        print(now, rss_mib);
}

void Timeline::flush(double now, std::optional<double> rss_mib) {
    if (!notes_.empty())
        print(now, rss_mib);
}

} // namespace pr
