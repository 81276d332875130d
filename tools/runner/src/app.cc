#include "app.h"

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

} // namespace

int listCommand(const ListCommand &c, std::ostream &out) {
    auto all = loadScenarioDir(c.scenarios_dir);
    std::size_t width = 0;
    for (const auto &s : all)
        width = std::max(width, s.name.size());
    for (const auto &s : all)
        out << std::left << std::setw(static_cast<int>(width) + 2) << s.name << s.description
            << "\n";
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
    auto qemu = findExecutable(c.qemu);
    if (!qemu)
        throw SetupError("QEMU binary '" + c.qemu + "' not found" +
                         (c.qemu.find('/') == std::string::npos ? " in PATH" : "") +
                         " (install qemu-system-x86 or pass --qemu PATH)");
    settings.qemu = qemu->string();

    std::filesystem::path out_dir = c.out_dir.empty()
                                        ? std::filesystem::path(kDefaultResultsDir) / scenario.name
                                        : std::filesystem::path(c.out_dir);
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec || ::access(out_dir.c_str(), W_OK) != 0)
        throw SetupError("cannot create or write output directory " + out_dir.string() +
                         (ec ? ": " + ec.message() : ""));
    settings.out_dir = std::filesystem::absolute(out_dir).lexically_normal();
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

} // namespace pr
