#include "plot.h"

#include "raii.h"
#include "subprocess.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

PlotSpec twoSeries() {
    PlotSpec spec;
    spec.title = "drain-1g: base vs ours";
    spec.output_png = "/out/it's.png";
    spec.series.push_back(
        {"base", {{0, 100}, {0.05, 101.5}}, {{0.02, *parseMarker("@@PR freed")}}});
    spec.series.push_back({"ours", {{0, 99}}, {}});
    return spec;
}

TEST(PlotTest, ScriptHasOneDataBlockAndCurvePerSeries) {
    std::string s = gnuplotScript(twoSeries());
    EXPECT_NE(s.find("set terminal pngcairo size 1200,600"), std::string::npos);
    EXPECT_NE(s.find("set output '/out/it''s.png'\n"), std::string::npos);
    EXPECT_NE(s.find("set title 'drain-1g: base vs ours'\n"), std::string::npos);
    EXPECT_NE(s.find("set xlabel 'time since QEMU start (s)'\n"), std::string::npos);
    EXPECT_NE(s.find("$series0 << EOD\n0.000 100.000\n0.050 101.500\nEOD\n"), std::string::npos)
        << s;
    EXPECT_NE(s.find("$series1 << EOD\n0.000 99.000\nEOD\n"), std::string::npos);
    EXPECT_NE(s.find("set arrow from 0.020, graph 0 to 0.020, graph 1 nohead"), std::string::npos);
    EXPECT_NE(s.find("set label 'base: freed' at 0.020"), std::string::npos);
    EXPECT_NE(s.find("plot $series0 using 1:2 with lines linewidth 2 linecolor 1 title 'base', \\\n"
                     "     $series1 using 1:2 with lines linewidth 2 linecolor 2 title 'ours'\n"),
              std::string::npos)
        << s;
}

TEST(PlotTest, SingleSeriesLabelsMarkersWithEventOnly) {
    PlotSpec spec = twoSeries();
    spec.series.pop_back();
    std::string s = gnuplotScript(spec);
    EXPECT_NE(s.find("set label 'freed' at 0.020, graph 0.98"), std::string::npos) << s;
}

TEST(PlotTest, EveryMarkerAtItsOwnTimeWithCloseLabelsStaggered) {
    PlotSpec spec;
    std::vector<RssSample> samples;
    for (int k = 0; k <= 100; ++k)
        samples.push_back({0.1 * k, 100}); // 10 s: labels closer than 0.1 s are staggered
    spec.series.push_back({"x",
                           samples,
                           {{1.0, *parseMarker("@@PR boot")},
                            {1.0, *parseMarker("@@PR value name=a v=1")},
                            {1.05, *parseMarker("@@PR ready")},
                            {5.0, *parseMarker("@@PR freed")}}});
    std::string s = gnuplotScript(spec);
    EXPECT_NE(s.find("set arrow from 1.000, graph 0 to 1.000, graph 1"), std::string::npos) << s;
    EXPECT_NE(s.find("set arrow from 1.050, graph 0 to 1.050, graph 1"), std::string::npos) << s;
    EXPECT_NE(s.find("set label 'boot' at 1.000, graph 0.98 rotate by 90 right offset "
                     "character -0.8,0"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("set label 'value' at 1.000, graph 0.98 rotate by 90 right offset "
                     "character 0.4,0"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("set label 'ready' at 1.050, graph 0.98 rotate by 90 right offset "
                     "character 1.6,0"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("set label 'freed' at 5.000, graph 0.98 rotate by 90 right offset "
                     "character -0.8,0"),
              std::string::npos)
        << s;
}

TEST(PlotTest, XRange) {
    PlotSpec spec = twoSeries();
    EXPECT_EQ(gnuplotScript(spec).find("set xrange"), std::string::npos);
    spec.x_max = 14.5;
    EXPECT_NE(gnuplotScript(spec).find("set xrange [*:14.500]\n"), std::string::npos);
    spec.x_min = -2;
    EXPECT_NE(gnuplotScript(spec).find("set xrange [-2.000:14.500]\n"), std::string::npos);
}

TEST(PlotTest, XLabel) {
    PlotSpec spec = twoSeries();
    spec.xlabel = "seconds since 'freed'";
    EXPECT_NE(gnuplotScript(spec).find("set xlabel 'seconds since ''freed'''\n"),
              std::string::npos);
}

TEST(PlotTest, EmptySeriesStillPlots) {
    PlotSpec spec;
    spec.series.push_back({"none", {}, {}});
    EXPECT_NE(gnuplotScript(spec).find("0 NaN"), std::string::npos);
}

TEST(PlotTest, RendersPngWithGnuplot) {
    if (!findExecutable("gnuplot"))
        GTEST_SKIP() << "gnuplot not installed";
    TempDir dir;
    PlotSpec spec = twoSeries();
    spec.output_png = dir.path() / "rss.png";
    renderPlot(spec, dir.path() / "rss.gp");
    EXPECT_GT(std::filesystem::file_size(dir.path() / "rss.png"), 1000u);
}

PanelPlotSpec twoPanels() {
    PanelPlotSpec spec;
    spec.title = "drain scaling";
    spec.xlabel = "guest size (GiB)";
    spec.xtics = {1, 4, 16};
    spec.output_png = "/out/scaling.png";
    XYPanel time{"time", "return 95 % (s)", true, {}};
    time.series.push_back({"base", 1, {{1, 8.75}, {4, 60, true}, {16, 0}}});
    time.series.push_back({"ours", 2, {{1, 0.25}}});
    XYPanel cpu{"cpu", "s/GiB", false, {}};
    cpu.series.push_back({"base", 1, {{1, 0.128}, {16, 0}}});
    cpu.series.push_back({"ours", 2, {}});
    spec.panels = {time, cpu};
    return spec;
}

TEST(PlotTest, PanelScript) {
    std::string s = panelGnuplotScript(twoPanels());
    EXPECT_NE(s.find("set output '/out/scaling.png'\n"), std::string::npos) << s;
    // Log y leaves out y <= 0; a lower bound is flagged in column 3.
    EXPECT_NE(s.find("$p0s0 << EOD\n1 8.75 0\n4 60 1\nEOD\n$p0s1 << EOD\n1 0.25 0\nEOD\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("$p1s0 << EOD\n1 0.128 0\n16 0 0\nEOD\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("$p1s1"), std::string::npos) << s; // no points, no block, no curve
    EXPECT_NE(s.find("set multiplot layout 2,1 title 'drain scaling'\n"), std::string::npos);
    EXPECT_NE(s.find("set xtics ('1' 1, '4' 4, '16' 16)\nset logscale x 2\n"), std::string::npos)
        << s;
    EXPECT_NE(s.find("set logscale y\nset yrange [*:*]\nplot $p0s0 using 1:2 with linespoints "
                     "linewidth 2 pointtype 7 linecolor 1 title 'base', \\\n     $p0s0 using "
                     "1:($3 > 0 ? $2 : NaN) with points pointtype 8 pointsize 2.5 linecolor 1 "
                     "notitle, \\\n     $p0s1 using 1:2 with linespoints linewidth 2 pointtype "
                     "7 linecolor 2 title 'ours', \\\n     NaN with points pointtype 8 "
                     "pointsize 2.5 linecolor 'black' title 'lower bound (not reached)'\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("unset logscale y\nset yrange [0:*]\nplot $p1s0 using 1:2"), std::string::npos)
        << s;
    EXPECT_EQ(s.find("lower bound", s.find("plot $p1s0")), std::string::npos) << s; // none there
    EXPECT_NE(s.find("unset multiplot\n"), std::string::npos);
}

TEST(PlotTest, PanelScatterWithLabelsAndLines) {
    PanelPlotSpec spec;
    spec.xlabel = "cost";
    spec.x_min = 0.9;
    spec.x_lines = {{1.05, "goal: 1.05x"}, {2, ""}};
    XYPanel panel{"scatter", "MiB", false, {}};
    panel.lines = false;
    panel.series.push_back({"base", 1, {{1.5, 40, false, "1s"}, {3.2, 12, false, "say \"hi\""}}});
    panel.series.push_back({"ours", 2, {{1.1, 190}}, 5});
    spec.panels = {panel};
    std::string s = panelGnuplotScript(spec);
    // Labels go in a quoted 4th column, only in a series that has some.
    EXPECT_NE(s.find("$p0s0 << EOD\n1.5 40 0 \"1s\"\n3.2 12 0 \"say 'hi'\"\nEOD\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("$p0s1 << EOD\n1.1 190 0\nEOD\n"), std::string::npos) << s;
    EXPECT_NE(s.find("set xrange [0.9:*]\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("logscale x"), std::string::npos) << s;
    EXPECT_NE(s.find("set arrow from 1.05, graph 0 to 1.05, graph 1 nohead dashtype 2 linewidth "
                     "1.5 linecolor 'black'\nset label 'goal: 1.05x' at 1.05, graph 0.97 left "
                     "offset character 0.5,0 font ',9'\nset arrow from 2, graph 0 to 2, graph 1 "
                     "nohead"),
              std::string::npos)
        << s;
    EXPECT_EQ(s.find("set label ''"), std::string::npos) << s; // an unlabelled line
    EXPECT_NE(s.find("plot $p0s0 using 1:2 with points pointtype 7 pointsize 1.8 linecolor 1 "
                     "title 'base', \\\n     $p0s0 using 1:2:4 with labels left offset "
                     "character 1,0.7 textcolor linetype 1 notitle, \\\n     $p0s1 using 1:2 "
                     "with points pointtype 5 pointsize 1.8 linecolor 2 title 'ours'\n"),
              std::string::npos)
        << s;
}

TEST(PlotTest, RendersPanelsWithGnuplot) {
    if (!findExecutable("gnuplot"))
        GTEST_SKIP() << "gnuplot not installed";
    TempDir dir;
    PanelPlotSpec spec = twoPanels();
    spec.output_png = dir.path() / "scaling.png";
    spec.panels[1].series.clear(); // an empty panel says so
    runGnuplot(panelGnuplotScript(spec), dir.path() / "scaling.gp");
    EXPECT_GT(std::filesystem::file_size(dir.path() / "scaling.png"), 1000u);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "scaling.gp.log"));
}

} // namespace
} // namespace pr
