#include "report.h"

#include "error.h"
#include "plot.h"
#include "text.h"

#include <fstream>
#include <sstream>

namespace pr {

using nlohmann::json;

json resultJson(const RunResult &r) {
    json j;
    j["scenario"] = r.scenario;
    j["description"] = r.description;
    j["label"] = r.label;
    j["kernel"] = r.kernel;
    j["initrd"] = r.initrd;
    j["qemu_argv"] = r.qemu_argv;
    j["accel"] = r.accel;
    j["accel_reason"] = r.accel_reason;
    j["timing"] = r.timing;
    j["qemu_pid"] = r.qemu_pid;
    j["started_at"] = r.started_at;
    j["duration_s"] = r.duration_s;
    j["end_reason"] = r.end_reason;
    j["decided_s"] = r.decided_s ? json(*r.decided_s) : json(nullptr);
    j["linger_s"] = r.linger_s;
    j["qemu_exit"] = r.qemu_exit;
    j["outcome"] = r.passed ? "pass" : "fail";
    j["reason"] = r.reason;

    json markers = json::array();
    for (const auto &m : r.record.markers)
        markers.push_back({{"t", m.t},
                           {"event", m.marker.event},
                           {"words", m.marker.words},
                           {"args", m.marker.args},
                           {"text", m.marker.text}});
    j["markers"] = markers;

    json actions = json::array();
    for (const auto &a : r.actions) {
        json aj = {{"t", a.t},
                   {"on_marker", a.on_marker},
                   {"execute", a.execute},
                   {"arguments", a.arguments}};
        if (a.error.empty())
            aj["return"] = a.response;
        else
            aj["error"] = a.error;
        actions.push_back(aj);
    }
    j["actions"] = actions;

    json assertions = json::array();
    for (const auto &a : r.assertions)
        assertions.push_back({{"kind", a.kind},
                              {"description", a.description},
                              {"result", verdictName(a.result.verdict)},
                              {"detail", a.result.detail},
                              {"figures", a.result.figures}});
    j["assertions"] = assertions;

    json periods = json::array();
    for (const auto &p : r.sampling_periods)
        periods.push_back({{"from_s", p.from_s}, {"period_ms", p.period_s * 1000}});
    json rss = {{"samples", r.record.samples.size()}, {"periods", periods}};
    if (!r.record.samples.empty()) {
        double peak = 0;
        for (const auto &s : r.record.samples)
            peak = std::max(peak, s.mib);
        rss["peak_mib"] = peak;
        rss["final_mib"] = r.record.samples.back().mib;
        rss["rate_hz"] =
            r.duration_s > 0 ? static_cast<double>(r.record.samples.size()) / r.duration_s : 0;
    }
    j["rss"] = rss;

    json events = json::array();
    for (const auto &e : r.qmp_events)
        events.push_back({{"t", e.t}, {"message", e.message}});
    j["qmp_events"] = events;
    return j;
}

std::string rssTsv(const RunResult &r) {
    std::ostringstream out;
    out << "# pr-runner host RSS of QEMU; scenario=" << r.scenario << " label=" << r.label
        << " started_at=" << r.started_at << "\n";
    if (!r.timing.empty())
        out << "# " << r.timing << "\n";
    for (const auto &p : r.sampling_periods)
        out << "# period from " << fixed(p.from_s, 3) << " s: " << fixed(p.period_s * 1000, 0)
            << " ms\n";
    out << "# t_seconds\trss_mib\tqemu_cpu_s\n";
    const auto &samples = r.record.samples;
    const auto &markers = r.record.markers;
    std::size_t mi = 0;
    for (const auto &s : samples) {
        for (; mi < markers.size() && markers[mi].t <= s.t; ++mi)
            out << "# marker " << fixed(markers[mi].t, 3) << " " << markers[mi].marker.text << "\n";
        out << fixed(s.t, 3) << "\t" << fixed(s.mib, 2);
        if (s.cpu_s)
            out << "\t" << fixed(*s.cpu_s, 2);
        out << "\n";
    }
    for (; mi < markers.size(); ++mi)
        out << "# marker " << fixed(markers[mi].t, 3) << " " << markers[mi].marker.text << "\n";
    return out.str();
}

RssTable readRssTsv(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in)
        throw SetupError("cannot read " + path.string());
    RssTable table;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty())
            continue;
        if (line[0] == '#') {
            std::istringstream ls(line.substr(1));
            std::string word;
            double t;
            if (ls >> word && word == "marker" && ls >> t) {
                std::string rest;
                std::getline(ls, rest);
                if (auto m = parseMarker(std::string(kMarkerPrefix) + rest))
                    table.markers.push_back({t, *m});
            }
            continue;
        }
        std::istringstream ls(line);
        RssSample s{};
        if (!(ls >> s.t >> s.mib))
            throw SetupError(path.string() + ":" + std::to_string(line_no) +
                             ": expected \"t_seconds<TAB>rss_mib[<TAB>qemu_cpu_s]\"");
        if (double cpu; ls >> cpu)
            s.cpu_s = cpu;
        table.samples.push_back(s);
    }
    return table;
}

std::string summaryText(const RunResult &r) {
    std::ostringstream out;
    out << "Summary: " << r.scenario << (r.label.empty() ? "" : " [" + r.label + "]") << ", "
        << fixed(r.duration_s, 1) << " s, ended by " << r.end_reason;
    if (r.decided_s && r.linger_s > 0)
        out << " at " << fixed(*r.decided_s, 1) << " s (QEMU kept " << fixed(r.linger_s, 1)
            << " s more)";
    out << ", QEMU " << r.qemu_exit;
    if (!r.accel.empty())
        out << ", -accel " << r.accel;
    out << "\n";
    if (!r.timing.empty())
        out << "  timing: " << r.timing << "\n";
    for (const auto &a : r.assertions) {
        const char *tag = a.result.verdict == Verdict::Pass   ? "PASS"
                          : a.result.verdict == Verdict::Fail ? "FAIL"
                                                              : "----";
        out << "  " << tag << "  " << a.description << ": " << a.result.detail << "\n";
    }
    for (const auto &a : r.actions)
        if (!a.error.empty())
            out << "  FAIL  action " << a.execute << " on '" << a.on_marker << "': " << a.error
                << "\n";
    return out.str();
}

std::string finalLine(const RunResult &r) {
    return r.passed ? "PASS " + r.scenario : "FAIL " + r.scenario + ": " + r.reason;
}

std::string writeReport(const RunResult &r, const std::filesystem::path &out_dir) {
    writeTextFile(out_dir / "result.json", resultJson(r).dump(2) + "\n");
    writeTextFile(out_dir / "rss.tsv", rssTsv(r));
    PlotSpec spec;
    spec.title = r.scenario + (r.passed ? " (pass)" : " (fail)");
    spec.output_png = out_dir / "rss.png";
    spec.series.push_back(
        {r.label.empty() ? "host RSS" : r.label, r.record.samples, r.record.markers});
    try {
        renderPlot(spec, out_dir / "rss.gp");
    } catch (const SetupError &e) {
        return std::string("no plot: ") + e.what();
    }
    return "";
}

} // namespace pr
