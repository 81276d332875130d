// RSS-over-time charts rendered with gnuplot. One chart can hold several labelled series
// (e.g. the base kernel and ours), each with its own markers.
#pragma once

#include "run_record.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pr {

struct PlotSeries {
    std::string label; // legend entry
    std::vector<RssSample> samples;
    // Each drawn as a dashed vertical line at its time, labelled with its event (labels of
    // markers close together are staggered sideways).
    std::vector<TimedMarker> markers;
};

struct PlotSpec {
    std::string title;
    std::string xlabel = "time since QEMU start (s)";
    std::filesystem::path output_png;
    std::vector<PlotSeries> series;
    std::optional<double> x_min, x_max; // the x range; unset: gnuplot's automatic one
};

// The complete gnuplot script, data inline. Pure.
std::string gnuplotScript(const PlotSpec &spec);

// Line charts of y against x stacked in one PNG (e.g. bench-scaling.png), each panel with
// its own y axis over the same x axis; a series keeps its colour in every panel.
struct XYPoint {
    double x = 0;
    double y = 0;
    bool lower_bound = false; // drawn with an extra open triangle: the true value is higher
    std::string label{};      // printed beside the point in its series' colour; empty: none
};

struct XYSeries {
    std::string label;
    int color = 1; // gnuplot linecolor index
    std::vector<XYPoint> points;
    int point_type = 7; // gnuplot pointtype (7: filled circle)
};

struct XYPanel {
    std::string title;
    std::string ylabel;
    bool log_y = false; // points with y <= 0 are left out then
    std::vector<XYSeries> series;
    bool lines = true; // false: points only (a scatter), not joined in x order
};

// A dashed vertical line across every panel, labelled at its top (e.g. a goal).
struct XLine {
    double x = 0;
    std::string label;
};

struct PanelPlotSpec {
    std::string title;
    std::string xlabel;
    std::vector<double> xtics; // the x values to label; log base 2 x axis around them
    std::filesystem::path output_png;
    std::vector<XYPanel> panels;
    int height = 900;                   // pixels; 1200 wide
    std::optional<double> x_min, x_max; // the x range (over the xtics' one); unset: automatic
    std::vector<XLine> x_lines;
};

// The complete gnuplot script (multiplot, data inline). Pure.
std::string panelGnuplotScript(const PanelPlotSpec &spec);

// Writes the script to `script_path` and runs gnuplot on it. Throws SetupError if gnuplot
// is missing or fails (its output is kept in <script_path>.log then).
void renderPlot(const PlotSpec &spec, const std::filesystem::path &script_path);

// The same for any script (e.g. panelGnuplotScript's).
void runGnuplot(const std::string &script, const std::filesystem::path &script_path);

} // namespace pr
