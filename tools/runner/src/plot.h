// RSS-over-time charts rendered with gnuplot. One chart can hold several labelled series
// (e.g. the base kernel and ours), each with its own markers.
#pragma once

#include "run_record.h"

#include <filesystem>
#include <string>
#include <vector>

namespace pr {

struct PlotSeries {
    std::string label; // legend entry
    std::vector<RssSample> samples;
    std::vector<TimedMarker> markers; // drawn as dashed vertical lines with the event name
};

struct PlotSpec {
    std::string title;
    std::string xlabel = "time since QEMU start (s)";
    std::filesystem::path output_png;
    std::vector<PlotSeries> series;
    int width = 1200;
    int height = 600;
};

// The complete gnuplot script, data inline. Pure.
std::string gnuplotScript(const PlotSpec &spec);

// Writes the script to `script_path` and runs `gnuplot` on it. Throws SetupError if gnuplot
// is missing or fails (its output is kept in <script_path>.log then).
void renderPlot(const PlotSpec &spec, const std::filesystem::path &script_path,
                const std::string &gnuplot = "gnuplot");

} // namespace pr
