#include "bench.h"

#include "bench_charts.h"
#include "error.h"
#include "plot.h"
#include "qemu_command.h"
#include "raii.h"
#include "run_compare.h"
#include "runner.h"
#include "text.h"

#include <cstdio>

namespace pr {

namespace fs = std::filesystem;

namespace {

// "return_s=0.350 returned_mib=730 qemu_cpu_s=0.410" for the progress line.
std::string figuresLine(const std::vector<Figure> &figures) {
    std::string out;
    for (const auto &f : figures)
        out += (out.empty() ? "" : " ") + f.key + "=" + (f.value ? formatSample(*f.value) : "-");
    return out;
}

// A previous bench's outputs (the directory holds a bench.json), so stale runs and charts
// do not mix with this one. Anything else in the directory is left alone.
void clearPreviousBench(const fs::path &dir) {
    if (!fs::exists(dir / "bench.json"))
        return;
    fs::remove_all(dir / "runs");
    for (const auto &entry : fs::directory_iterator(dir)) {
        auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".png" || ext == ".gp" || ext == ".log"))
            fs::remove(entry.path());
    }
}

// One line on the guest size and QEMU options of a scenario, for the method section.
std::string scenarioSetup(const Scenario &s) {
    std::string text = std::to_string(s.memory_mib) + " MiB guest, " + std::to_string(s.smp) +
                       " vCPU" + (s.smp == 1 ? "" : "s") + ", kernel command line `" +
                       kernelCmdline(s) + "`, ";
    text += s.qemu.balloon ? "`-device " + balloonDevice(s.qemu) + "`" : "no balloon device";
    for (const auto &arg : s.qemu.extra_args)
        text += " `" + arg + "`";
    return text + ".";
}

} // namespace

Bench::Bench(BenchSettings settings, std::ostream &out)
    : settings_(std::move(settings)), out_(out) {
    data_.kernels = settings_.kernels;
    std::vector<Assertion> all; // every scenario's return markers: one statement for the tables
    for (const auto &s : settings_.scenarios) {
        data_.scenarios.push_back({s.name, s.description, scenarioSetup(s), s.memory_mib,
                                   accelFor(s, settings_.accel).accel});
        all.insert(all.end(), s.assertions.begin(), s.assertions.end());
    }
    data_.timing = samplingText(samplingPlan(all));
    data_.accel = settings_.accel.accel;
    data_.accel_reason = settings_.accel.reason;
    data_.repeat = settings_.repeat;
}

bool Bench::run() {
    SignalGuard signals; // the runs' own guards nest inside: a signal between runs counts
    clearPreviousBench(settings_.out_dir);
    snapshotKernels();
    auto plan = benchOrder(settings_.scenarios.size(), settings_.kernels.size(), settings_.repeat);
    data_.planned_runs = plan.size();
    data_.host = collectHostInfo(settings_.qemu);
    data_.started_at = utcNow();
    data_.load_start = loadAverage();

    std::string kernels;
    for (const auto &k : settings_.kernels)
        kernels += (kernels.empty() ? "" : ", ") + k.label;
    out_ << "pr-runner bench: " << settings_.scenarios.size() << " scenario(s) x "
         << settings_.repeat << " repetition(s) x " << settings_.kernels.size() << " kernels ("
         << kernels << ") = " << plan.size() << " runs, -accel " << settings_.accel.accel << " ("
         << settings_.accel.reason << "); output in " << settings_.out_dir.string() << std::endl;

    for (std::size_t i = 0; i < plan.size() && !SignalGuard::caught(); ++i) {
        const PlannedRun &p = plan[i];
        char counter[32];
        std::snprintf(counter, sizeof counter, "[%*zu/%zu] ",
                      static_cast<int>(std::to_string(plan.size()).size()), i + 1, plan.size());
        out_ << counter << settings_.scenarios[p.scenario].name << " rep " << p.repetition << " "
             << settings_.kernels[p.kernel].label << ": " << std::flush;
        BenchRun r = runOne(p);
        out_ << r.outcome << " in " << fixed(r.duration_s, 1) << " s  " << figuresLine(r.figures)
             << std::endl;
        if (r.outcome != "pass")
            out_ << "        " << r.reason << std::endl;
        data_.runs.push_back(std::move(r));
        writeReports();
    }
    if (!SignalGuard::caught())
        data_.finished_at = utcNow();
    data_.load_end = loadAverage();
    auto charts = drawCharts();
    writeReports();

    out_ << "\n" << tableText(data_, summarize(data_));
    if (SignalGuard::caught())
        out_ << "interrupted after " << data_.runs.size() << " of " << plan.size() << " runs\n";
    out_ << "wrote " << (settings_.out_dir / "bench.md").string() << ", bench.json";
    for (const auto &c : charts)
        out_ << ", " << c;
    out_ << std::endl;

    bool complete = data_.runs.size() == plan.size();
    for (const auto &r : data_.runs)
        for (const auto &f : r.figures)
            complete = complete && f.value.has_value();
    return complete;
}

// Runs boot copies, so rebuilding a kernel or initramfs while the bench runs cannot mix two
// builds into one column.
void Bench::snapshotKernels() {
    run_kernels_ = settings_.kernels;
    for (auto &k : run_kernels_) {
        fs::path dir = settings_.out_dir / "kernels" / k.label;
        fs::create_directories(dir);
        for (std::string *file : {&k.kernel, &k.initrd}) {
            fs::path copy = dir / fs::path(*file).filename();
            fs::copy_file(*file, copy, fs::copy_options::overwrite_existing);
            *file = copy.string();
        }
    }
}

BenchRun Bench::runOne(const PlannedRun &p) {
    const Scenario &scenario = settings_.scenarios[p.scenario];
    const BenchKernel &kernel = run_kernels_[p.kernel];
    BenchRun r;
    r.scenario = p.scenario;
    r.repetition = p.repetition;
    r.kernel = p.kernel;
    r.dir = "runs/" + scenario.name + "/" + std::to_string(p.repetition) + "-" + kernel.label;
    try {
        RunSettings rs;
        rs.out_dir = settings_.out_dir / r.dir;
        fs::create_directories(rs.out_dir);
        rs.qemu = settings_.qemu;
        rs.kernel = kernel.kernel;
        rs.initrd = kernel.initrd;
        rs.label = kernel.label;
        rs.quiet = true;
        rs.timeout_scale = settings_.timeout_scale;
        rs.accel = accelFor(scenario, settings_.accel);
        RunResult result = Runner(scenario, rs, out_).run();
        writeReport(result, rs.out_dir); // a missing chart only costs the per-run PNG
        r.duration_s = result.duration_s;
        r.outcome = result.passed ? "pass" : "fail";
        r.reason = result.reason;
        r.figures = extractFigures(scenario, result);
        if (SignalGuard::caught()) {
            r.outcome = "error";
            r.figures = missingFigures(scenario, result.reason);
        }
    } catch (const std::exception &e) {
        r.outcome = "error";
        r.reason = e.what();
        r.figures = missingFigures(scenario, r.reason);
    }
    return r;
}

void Bench::writeReports() {
    auto rows = summarize(data_);
    writeTextFile(settings_.out_dir / "bench.json", benchJson(data_, rows).dump(2) + "\n");
    writeTextFile(settings_.out_dir / "bench.md", markdownReport(data_, rows));
}

// One chart per scenario with an RSS assertion: the median run of each kernel (by the
// scenario's first figure), time-aligned on the marker the return is measured from; then
// bench-scaling.png over the drain scenarios and bench-tradeoff.png over the burst ones.
std::vector<std::string> Bench::drawCharts() {
    std::vector<std::string> written;
    for (std::size_t si = 0; si < settings_.scenarios.size(); ++si) {
        const Scenario &scenario = settings_.scenarios[si];
        auto marker = chartMarker(scenario);
        auto specs = figureSpecs(scenario);
        if (!marker || specs.empty())
            continue;
        PlotSpec spec;
        std::string picked; // "base rep 2 (return_s 7.05), ours rep 1 (return_s 0.300)
        spec.xlabel = "seconds since '" + *marker + "'";
        spec.output_png = settings_.out_dir / (scenario.name + ".png");
        for (std::size_t k = 0; k < settings_.kernels.size(); ++k) {
            std::vector<const BenchRun *> runs;
            std::vector<Sample> values;
            for (const auto &r : data_.runs) {
                if (r.scenario != si || r.kernel != k || r.figures.empty() ||
                    !r.figures.front().value)
                    continue;
                runs.push_back(&r);
                values.push_back(*r.figures.front().value);
            }
            auto mid = medianIndex(values);
            if (!mid)
                continue;
            const BenchRun &r = *runs[*mid];
            try {
                RssTable table = readRssTsv(settings_.out_dir / r.dir / "rss.tsv");
                auto aligned = alignedSeries(settings_.kernels[k].label, table, *marker);
                if (!aligned) // a run without the marker has no figure: not picked
                    continue;
                spec.series.push_back(std::move(aligned->series));
                picked += (picked.empty() ? "" : ", ") + settings_.kernels[k].label + " rep " +
                          std::to_string(r.repetition) + " (" + specs.front().key + " " +
                          formatSample(values[*mid]) + ")";
            } catch (const SetupError &e) {
                out_ << "warning: " << scenario.name << ": " << e.what() << "\n";
            }
        }
        if (spec.series.empty())
            continue;
        spec.title = scenario.name + ": host RSS of QEMU, median runs: " + picked;
        try {
            renderPlot(spec, settings_.out_dir / (scenario.name + ".gp"));
            written.push_back(spec.output_png.filename().string());
        } catch (const SetupError &e) {
            out_ << "warning: no chart for " << scenario.name << ": " << e.what() << "\n";
        }
    }
    // The drain scenarios' medians against the guest size; the bursty churn settings: what
    // reporting costs against the memory given back.
    auto drawPanels = [&](const std::optional<PanelPlotSpec> &spec, const char *what) {
        if (!spec)
            return;
        fs::path script = spec->output_png;
        try {
            runGnuplot(panelGnuplotScript(*spec), script.replace_extension(".gp"));
            written.push_back(spec->output_png.filename().string());
        } catch (const SetupError &e) {
            out_ << "warning: no " << what << " chart: " << e.what() << "\n";
        }
    };
    const auto rows = summarize(data_);
    const fs::path &dir = settings_.out_dir;
    drawPanels(scalingPlotSpec(scalingData(data_, rows), dir / "bench-scaling.png"), "scaling");
    drawPanels(tradeoffPlotSpec(tradeoffData(data_, rows), dir / "bench-tradeoff.png"),
               "trade-off");
    return written;
}

} // namespace pr
