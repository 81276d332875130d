#include "app.h"

#include "bench.h"
#include "error.h"
#include "plot.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "signal_guard.h"
#include "subprocess.h"

#include <fstream>
#include <iomanip>
#include <sys/stat.h>
#include <unistd.h>

namespace pr {

namespace {

std::string readableFile(const std::string &path, const char *what, const char *option) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw SetupError(std::string(what) + " " + path + " does not exist (" + option + ")");
    if (!S_ISREG(st.st_mode))
        throw SetupError(std::string(what) + " " + path + " is not a regular file (" + option +
                         ")");
    if (::access(path.c_str(), R_OK) != 0)
        throw SetupError(std::string(what) + " " + path + " is not readable (" + option + ")");
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

} // namespace

int listCommand(const ListCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
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

int runCommand(const RunCommand &c, std::ostream &out) {
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

    RunResult result = Runner(scenario, settings, out).run();
    std::string warning = writeReport(result, settings.out_dir);
    out << summaryText(result);
    if (!warning.empty())
        out << "warning: " << warning << "\n";
    out << finalLine(result) << std::endl;
    SignalGuard::reraise(); // interrupted: die by the same signal now that QEMU is gone
    return result.passed ? kExitPass : kExitFail;
}

int plotCommand(const PlotCommand &c, std::ostream &out) {
    PlotSpec spec;
    spec.output_png = std::filesystem::absolute(c.out);
    std::vector<std::string> scenarios;
    for (const auto &d : c.result_dirs) {
        std::filesystem::path dir(d);
        RssTable table = readRssTsv(dir / "rss.tsv");
        std::string label = std::filesystem::absolute(dir).lexically_normal().filename().string();
        std::ifstream result_file(dir / "result.json");
        if (result_file) {
            auto j = nlohmann::json::parse(result_file, nullptr, false);
            if (j.is_object()) {
                if (!j.value("label", std::string()).empty())
                    label = j.value("label", std::string());
                scenarios.push_back(j.value("scenario", std::string()));
            }
        }
        spec.series.push_back({label, table.samples, table.markers});
    }
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

int benchCommand(const BenchCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
    BenchSettings settings;
    if (c.scenarios.empty()) {
        for (const auto &s : all)
            if (hasTag(s, "bench"))
                settings.scenarios.push_back(s);
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

    bool complete = Bench(std::move(settings), out).run();
    SignalGuard::reraise(); // interrupted: die by the same signal now that QEMU is gone
    return complete ? kExitPass : kExitFail;
}

} // namespace pr
