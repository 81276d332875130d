#include "app.h"

#include "accel.h"
#include "bench.h"
#include "error.h"
#include "plot.h"
#include "raii.h"
#include "report.h"
#include "run_compare.h"
#include "runner.h"
#include "scenario.h"
#include "subprocess.h"
#include "text.h"

#include <fstream>
#include <iomanip>
#include <sys/stat.h>
#include <unistd.h>

namespace pr {

namespace {

std::string readableFile(const std::string &path, const char *what, const char *option) {
    struct stat st;
    const char *problem = ::stat(path.c_str(), &st) != 0      ? "does not exist"
                          : !S_ISREG(st.st_mode)              ? "is not a regular file"
                          : ::access(path.c_str(), R_OK) != 0 ? "is not readable"
                                                              : nullptr;
    if (problem)
        throw SetupError(std::string(what) + " " + path + " " + problem + " (" + option + ")");
    return std::filesystem::absolute(path).lexically_normal().string();
}

std::string resolveQemu(const std::string &name) {
    auto qemu = findExecutable(name);
    if (!qemu)
        throw SetupError("QEMU binary '" + name + "' not found" +
                         (name.find('/') == std::string::npos ? " in PATH" : "") +
                         " (install qemu-system-x86 or pass --qemu PATH)");
    return qemu->string();
}

std::filesystem::path writableDir(const std::filesystem::path &dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || ::access(dir.c_str(), W_OK) != 0)
        throw SetupError("cannot create or write output directory " + dir.string() +
                         (ec ? ": " + ec.message() : ""));
    return std::filesystem::absolute(dir).lexically_normal();
}

// Markdown table cell: '|' would end the cell.
std::string cell(const std::string &text) {
    std::string out;
    for (char c : text)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

// The accelerator for runs of `scenarios`, probing only if one of them can use KVM.
AccelChoice accelForRuns(AccelRequest request, const std::string &qemu,
                         const std::vector<Scenario> &scenarios) {
    bool any_free = false;
    for (const auto &s : scenarios)
        any_free = any_free || !needsTcg(s);
    if (!any_free && request != AccelRequest::Kvm)
        return {"tcg", "-icount needs TCG"};
    return chooseAccel(request, KvmProbe{qemu});
}

} // namespace

int execute(const HelpCommand &, std::ostream &out) {
    out << usageText();
    return kExitPass;
}

int execute(const ListCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
    if (!c.tag.empty()) {
        auto entries = suiteEntries(all, c.tag);
        if (entries.empty()) {
            auto suites = suiteNames(all);
            throw UsageError(
                "no scenario in " + c.scenarios_dir + " is tagged '" + c.tag +
                "' (suites tagged there: " + (suites.empty() ? "none" : join(suites, ", ")) + ")");
        }
        for (const auto &e : entries)
            out << e.scenario->name << "@" << e.kernel << "\n";
        return kExitPass;
    }
    if (c.markdown) {
        out << "| scenario | tags | description |\n| --- | --- | --- |\n";
        for (const auto &s : all)
            out << "| `" << s.name << "` | " << cell(join(s.tags, ", ")) << " | "
                << cell(s.description) << " |\n";
        return kExitPass;
    }
    std::size_t width = 0;
    for (const auto &s : all)
        width = std::max(width, s.name.size());
    for (const auto &s : all) {
        std::string tags;
        for (const auto &t : s.tags)
            tags += "[" + t + "] ";
        out << std::left << std::setw(static_cast<int>(width) + 2) << s.name << tags
            << s.description << "\n";
    }
    return kExitPass;
}

int execute(const RunCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
    const Scenario &scenario = findScenario(all, c.scenario);

    RunSettings settings;
    if (!c.no_kernel) {
        settings.kernel = readableFile(c.kernel, "kernel", "--kernel");
        settings.initrd = readableFile(c.initrd, "initrd", "--initrd");
    }
    settings.qemu = resolveQemu(c.qemu);
    settings.out_dir =
        writableDir(c.out_dir.empty() ? std::filesystem::path(kDefaultResultsDir) / scenario.name
                                      : std::filesystem::path(c.out_dir));
    settings.label = c.label;
    settings.quiet = c.quiet;
    settings.timeout_scale = c.timeout_scale;
    settings.no_kernel = c.no_kernel;
    settings.accel = accelFor(scenario, accelForRuns(c.accel, settings.qemu, {scenario}));
    if (!c.quiet)
        out << "pr-runner: -accel " << settings.accel.accel << " (" << settings.accel.reason << ")"
            << std::endl;

    RunResult result = Runner(scenario, settings, out).run();
    std::string warning = writeReport(result, settings.out_dir);
    out << summaryText(result);
    if (!warning.empty())
        out << "warning: " << warning << "\n";
    out << finalLine(result) << std::endl;
    SignalGuard::reraise(); // interrupted: die by the same signal now that QEMU is gone
    return result.passed ? kExitPass : kExitFail;
}

int execute(const PlotCommand &c, std::ostream &out) {
    PlotSpec spec;
    spec.output_png = std::filesystem::absolute(c.out);
    std::vector<std::string> scenarios;
    std::optional<double> latest_return; // on the chart's time axis
    for (const auto &d : c.result_dirs) {
        std::filesystem::path dir(d);
        RssTable table = readRssTsv(dir / "rss.tsv");
        std::string label = std::filesystem::absolute(dir).lexically_normal().filename().string();
        nlohmann::json result;
        if (std::ifstream result_file(dir / "result.json"); result_file) {
            result = nlohmann::json::parse(result_file, nullptr, false);
            if (result.is_object()) {
                if (!result.value("label", std::string()).empty())
                    label = result.value("label", std::string());
                scenarios.push_back(result.value("scenario", std::string()));
            }
        }
        double origin = 0;
        if (c.align.empty()) {
            spec.series.push_back({label, table.samples, table.markers});
        } else {
            auto aligned = alignedSeries(label, table, c.align);
            if (!aligned)
                throw SetupError((dir / "rss.tsv").string() + " has no marker '" + c.align +
                                 "' to align on (--align)");
            origin = aligned->origin;
            spec.series.push_back(std::move(aligned->series));
        }
        RunReturn ret = runReturn(result, label);
        if (auto t = returnTime(ret))
            latest_return = std::max(latest_return.value_or(*t - origin), *t - origin);
        if (c.summary)
            out << returnLine(ret) << "\n";
    }
    if (!c.align.empty())
        spec.xlabel = "seconds since '" + c.align + "'";
    if (latest_return)
        spec.x_max = *latest_return + kPlotTail_s;
    spec.title = c.title;
    if (spec.title.empty()) {
        spec.title = "host RSS";
        if (!scenarios.empty())
            spec.title += ": " + scenarios.front();
    }
    std::filesystem::path script = spec.output_png;
    script.replace_extension(".gp");
    renderPlot(spec, script);
    out << "wrote " << spec.output_png.string() << " (script " << script.string() << ")\n";
    return kExitPass;
}

int execute(const BenchCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
    BenchSettings settings;
    if (c.scenarios.empty()) {
        for (const auto &e : suiteEntries(all, kBenchSuite))
            settings.scenarios.push_back(*e.scenario);
        if (settings.scenarios.empty())
            throw UsageError("no scenario in " + c.scenarios_dir +
                             " is tagged \"bench\"; name some with --scenarios");
    } else {
        for (const auto &name : c.scenarios)
            settings.scenarios.push_back(findScenario(all, name));
    }
    for (const auto &k : c.kernels)
        settings.kernels.push_back({k.label, readableFile(k.kernel, "kernel", "--kernels"),
                                    readableFile(k.initrd, "initrd", "--kernels")});
    settings.qemu = resolveQemu(c.qemu);
    settings.out_dir = writableDir(c.out_dir);
    settings.repeat = c.repeat;
    settings.timeout_scale = c.timeout_scale;
    settings.accel = accelForRuns(c.accel, settings.qemu, settings.scenarios);

    bool complete = Bench(std::move(settings), out).run();
    SignalGuard::reraise(); // interrupted: die by the same signal now that QEMU is gone
    return complete ? kExitPass : kExitFail;
}

int execute(const AccelCommand &c, std::ostream &out) {
    AccelChoice choice = chooseAccel(AccelRequest::Auto, KvmProbe{c.qemu});
    out << choice.accel << "\n" << choice.reason << "\n";
    return kExitPass;
}

} // namespace pr
