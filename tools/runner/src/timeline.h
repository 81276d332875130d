// The live timeline printed during a run: at most one line per second with the elapsed
// time, the host RSS of QEMU and whatever happened since the previous line (guest markers,
// QMP actions and events).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pr {

class Timeline {
public:
    Timeline(std::ostream &out, bool enabled) : out_(out), enabled_(enabled) {}

    void note(std::string text) { notes_.push_back(std::move(text)); }
    // Prints a line once a new whole second has been reached.
    void tick(double now, std::optional<double> rss_mib);
    // Prints a last line if anything was noted since the previous one.
    void flush(double now, std::optional<double> rss_mib);

    // "    12.0 s     523.4 MiB  touch-begin | touched mib=768"
    static std::string formatLine(double now, std::optional<double> rss_mib,
                                  const std::vector<std::string> &notes);

private:
    void print(double now, std::optional<double> rss_mib);

    std::ostream &out_;
    bool enabled_;
    double next_ = 1.0;
    std::vector<std::string> notes_;
};

} // namespace pr
