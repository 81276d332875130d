#include "bench_report.h"

#include "bench_charts.h"
#include "text.h"

#include <algorithm>
#include <sstream>

namespace pr {

using nlohmann::json;

namespace {

std::string cell(const std::optional<Sample> &s) { return s ? formatSample(*s) : "-"; }

std::string rawText(const std::vector<std::optional<Sample>> &values) {
    std::string out;
    for (const auto &v : values)
        out += (out.empty() ? "" : " ") + cell(v);
    return out;
}

std::size_t count(const std::vector<std::optional<Sample>> &values) {
    std::size_t n = 0;
    for (const auto &v : values)
        n += v.has_value();
    return n;
}

// "3", or "3/2" when the kernels have different counts.
std::string countText(const BenchRow &row) {
    std::string out;
    bool same = true;
    for (const auto &r : row.raw) {
        same = same && count(r) == count(row.raw.front());
        out += (out.empty() ? "" : "/") + std::to_string(count(r));
    }
    return same && !row.raw.empty() ? std::to_string(count(row.raw.front())) : out;
}

std::string ratioHeader(const BenchData &d) {
    return d.kernels.size() >= 2 ? d.kernels.back().label + "/" + d.kernels.front().label : "ratio";
}

std::vector<std::string> headerCells(const BenchData &d, const std::string &median_suffix) {
    std::vector<std::string> h = {"scenario", "figure"};
    for (const auto &k : d.kernels)
        h.push_back(k.label + median_suffix);
    h.push_back(ratioHeader(d));
    h.push_back("n");
    for (const auto &k : d.kernels)
        h.push_back(k.label + " runs");
    return h;
}

std::vector<std::string> rowCells(const BenchRow &row) {
    std::vector<std::string> c = {row.scenario, row.label};
    for (const auto &m : row.medians)
        c.push_back(cell(m));
    c.push_back(row.ratio ? formatRatio(*row.ratio) : "-");
    c.push_back(countText(row));
    for (const auto &r : row.raw)
        c.push_back(rawText(r));
    return c;
}

std::string runName(const BenchData &d, const BenchRun &r) {
    return d.scenarios[r.scenario].name + " rep " + std::to_string(r.repetition) + " " +
           d.kernels[r.kernel].label;
}

std::string accelName(const std::string &accel) { return accel == "kvm" ? "KVM" : "TCG"; }

// "; markers stamped on arrival; RSS sampled ..." for the notes under the tables.
std::string timingNote(const BenchData &d) { return d.timing.empty() ? "" : "; " + d.timing; }

json sampleJson(const std::optional<Sample> &s) {
    if (!s)
        return nullptr;
    return {{"value", s->value}, {"lower_bound", s->lower_bound}};
}

} // namespace

std::vector<PlannedRun> benchOrder(std::size_t scenarios, std::size_t kernels, int repeat) {
    std::vector<PlannedRun> order;
    for (std::size_t s = 0; s < scenarios; ++s)
        for (int rep = 1; rep <= repeat; ++rep)
            for (std::size_t k = 0; k < kernels; ++k)
                order.push_back({s, rep, rep % 2 == 1 ? k : kernels - 1 - k});
    return order;
}

std::string orderText(const std::vector<std::string> &labels, int repeat) {
    std::string text;
    int repetition = 1;
    for (const auto &run : benchOrder(1, labels.size(), repeat)) {
        if (!text.empty())
            text += run.repetition != repetition ? ", " : " ";
        repetition = run.repetition;
        text += labels[run.kernel];
    }
    return text;
}

std::vector<BenchRow> summarize(const BenchData &d) {
    std::vector<BenchRow> rows;
    for (std::size_t si = 0; si < d.scenarios.size(); ++si) {
        std::vector<BenchRow> scenario_rows;
        auto rowFor = [&](const Figure &f) -> BenchRow & {
            for (auto &r : scenario_rows)
                if (r.key == f.key)
                    return r;
            BenchRow r;
            r.scenario = d.scenarios[si].name;
            r.key = f.key;
            r.label = f.label;
            r.raw.resize(d.kernels.size());
            scenario_rows.push_back(std::move(r));
            return scenario_rows.back();
        };
        for (const auto &run : d.runs) {
            if (run.scenario != si)
                continue;
            for (const auto &f : run.figures)
                rowFor(f).raw[run.kernel].push_back(f.value);
        }
        for (auto &row : scenario_rows) {
            for (const auto &values : row.raw) {
                std::vector<Sample> present;
                for (const auto &v : values)
                    if (v)
                        present.push_back(*v);
                row.medians.push_back(median(present));
            }
            if (row.medians.size() >= 2 && row.medians.front() && row.medians.back())
                row.ratio = ratio(*row.medians.back(), *row.medians.front());
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::string alignColumns(const std::vector<std::vector<std::string>> &rows) {
    std::vector<std::size_t> width;
    for (const auto &r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i)
                width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    std::string out;
    for (const auto &r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size())
                line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line + "\n";
    }
    return out;
}

std::string tableText(const BenchData &d, const std::vector<BenchRow> &rows) {
    std::vector<std::vector<std::string>> cells = {headerCells(d, "")};
    for (const auto &row : rows)
        cells.push_back(rowCells(row));
    std::string out = alignColumns(cells);
    out += "medians of each kernel's runs; runs listed in the order they ran; \">X\": not "
           "reached within the window (a lower bound); \"-\": no value (see bench.md)" +
           timingNote(d) + "\n";
    return out;
}

std::string markdownReport(const BenchData &d, const std::vector<BenchRow> &rows) {
    std::ostringstream out;
    std::vector<std::string> labels;
    for (const auto &k : d.kernels)
        labels.push_back(k.label);
    out << "# Page reporting benchmark: " << join(labels, " vs ") << "\n\n";
    if (d.finished_at.empty())
        out << "**Incomplete**: " << d.runs.size() << " of " << d.planned_runs << " runs done.\n\n";

    auto header = headerCells(d, " median");
    out << "|";
    for (const auto &h : header)
        out << " " << h << " |";
    out << "\n|";
    for (std::size_t i = 0; i < header.size(); ++i)
        out << (i >= 2 && i < header.size() - d.kernels.size() ? " --: |" : " --- |");
    out << "\n";
    for (const auto &row : rows) {
        out << "|";
        for (const auto &c : rowCells(row))
            out << " " << c << " |";
        out << "\n";
    }
    out << "\nMedians over each kernel's runs; the runs are listed in the order they ran. "
           "`>X`: not reached within the scenario's window of X s, a lower bound (a median "
           "or ratio involving one is a bound too). `-`: the run produced no value. Timing: "
        << (d.timing.empty() ? "see the method" : d.timing) << ".\n";

    std::vector<std::string> failures;
    for (const auto &r : d.runs)
        if (r.outcome != "pass")
            failures.push_back("- " + runName(d, r) + " (" + r.outcome + ", `" + r.dir +
                               "`): " + r.reason);
    if (!failures.empty()) {
        out << "\n## Runs that did not pass\n\n";
        for (const auto &f : failures)
            out << f << "\n";
    }

    const HostInfo &h = d.host;
    out << "\n## Method\n\n";
    out << "- Machine: " << h.nproc << " CPUs (nproc), "
        << (h.cpu_model.empty() ? "unknown CPU" : h.cpu_model) << ", "
        << format("%.1f GiB", h.ram_gib) << " RAM, "
        << (h.host_kernel.empty() ? "unknown kernel" : h.host_kernel) << ".\n";
    std::string tcg_only; // scenarios that ran under TCG although the bench chose KVM
    for (const auto &s : d.scenarios)
        if (s.accel != d.accel)
            tcg_only += (tcg_only.empty() ? "" : ", ") + ("`" + s.name + "`");
    out << "- QEMU: " << (h.qemu_version.empty() ? "unknown version" : h.qemu_version) << "; "
        << accelName(d.accel) << " (`-accel " << d.accel << "`"
        << (d.accel_reason.empty() ? "" : "; " + d.accel_reason) << ")"
        << (tcg_only.empty() ? "" : ", except " + tcg_only + " under TCG (-icount needs it)")
        << ", `-machine pc`; host RSS of the QEMU process from /proc/PID/status, its CPU time "
           "from /proc/PID/stat"
        << (d.timing.empty() ? "" : "; " + d.timing) << ".\n";
    out << "- Date: " << d.started_at << " to "
        << (d.finished_at.empty() ? "(not finished)" : d.finished_at) << " (UTC).";
    if (!d.load_start.empty())
        out << " Host load average (1/5/15 min) " << d.load_start << " at the start"
            << (d.load_end.empty() ? "" : ", " + d.load_end + " at the end")
            << " (other work on the host makes the figures noisier).";
    out << "\n";
    out << "- Kernels:";
    for (const auto &k : d.kernels)
        out << " " << k.label << " = `" << k.kernel << "` with `" << k.initrd << "`;";
    out << " copied to `kernels/` when the bench started and booted from there; the initramfs "
           "images differ only in the kernel's own virtio_balloon.ko.\n";
    out << "- Repetitions: " << d.repeat << " per kernel and scenario. Per scenario the "
        << "kernels alternate and the order flips each repetition (" << orderText(labels, d.repeat)
        << ") so host drift biases neither; scenarios run one after the other.\n";
    out << "- Scenarios (identical QEMU options and guest command line for every kernel):\n";
    for (const auto &s : d.scenarios)
        out << "  - `" << s.name << "`: " << s.description << ". " << s.setup << "\n";
    out << "- Figures:\n"
           "  - *return F % (s)*: seconds from the guest's `freed` marker until the host RSS "
           "of QEMU had given back the fraction F of what it grew since `touch-begin` "
           "(the `rss_returned` assertion).\n"
           "  - *returned (MiB)*: the growth given back at that moment (or the best within the "
           "window when not reached).\n"
           "  - *QEMU CPU (s)*: user + system CPU time of the whole QEMU process (all threads, "
           "so the guest's vCPUs too) over the same interval; for the fragment "
           "scenario over the whole window.\n"
           "  - *QEMU CPU per GiB returned (s/GiB)*: that CPU time divided by the GiB returned "
           "(returned MiB / 1024). Under "
        << accelName(d.accel)
        << " the guest's vCPUs are threads of QEMU, so all guest "
           "CPU time is QEMU CPU time: this is the guest's reporting work (finding, isolating "
           "and reporting free pages, the virtqueue round trips) plus the host's work for the "
           "reports (QEMU's balloon handler discarding the ranges with madvise), plus whatever "
           "else guest and QEMU did in the interval (an idle guest costs little). CPU time "
           "comes in clock ticks (usually 10 ms), so a figure of a few ticks is coarse. When the "
           "return was not reached within the window: the window's CPU per GiB grown, a lower "
           "bound.\n"
           "  - *returned within W s (MiB)*: RSS at `freed` minus the lowest RSS in the W s "
           "after it (the `rss_returned_within` assertion).\n"
           "  - *churn_ms*: the guest's own time (CLOCK_MONOTONIC) for its map/touch/unmap "
           "loop.\n";
    ScalingData scaling = scalingData(d, rows);
    if (scalingPlotSpec(scaling, "bench-scaling.png")) { // some median to draw
        std::string sizes;
        for (const auto &p : scaling.points)
            sizes += (sizes.empty() ? "" : ", ") + format("%g", p.gib);
        out << "- Scaling chart (`bench-scaling.png`, script `bench-scaling.gp`): for the drain "
               "scenarios of this bench (guest sizes "
            << sizes << " GiB), each kernel's median *" << scaling.return_label
            << "* (log scale) and median *QEMU CPU per GiB returned* against the guest size; "
               "an open triangle marks a median that is a lower bound, a missing median is "
               "left out.\n";
    }
    TradeoffData tradeoff = tradeoffData(d, rows);
    if (tradeoffPlotSpec(tradeoff, "bench-tradeoff.png")) {
        std::vector<std::string> settings;
        for (const auto &p : tradeoff.points)
            if (std::find(settings.begin(), settings.end(), p.setting) == settings.end())
                settings.push_back(p.setting);
        out << "- Trade-off chart (`bench-tradeoff.png`, script `bench-tradeoff.gp`): for the "
               "bursty churn scenarios of this bench that have a `-noreport` twin (settings "
            << join(settings, ", ")
            << "), one point per kernel and setting: x = the churn cost, the kernel's median "
               "*burst_ms* with free page reporting over its median *burst_ms* of the "
               "`-noreport` scenario (1.0 = free; dashed line: the goal of "
            << format("%g", kTradeoffGoal)
            << "x); y = its median *mean given back* (MiB) of the reporting scenario, the mean "
               "host memory the guest gave back over the churn. A setting whose medians are "
               "missing for a kernel has no point for it.\n";
    }
    out << "- Medians: the median of each kernel's runs (the mean of the two middle ones for "
           "an even count); ratio = "
        << ratioHeader(d) << " of the medians. Per-run results (console.log, rss.tsv, "
        << "result.json) are under `runs/`; bench.json has every figure.\n";
    return out.str();
}

json benchJson(const BenchData &d, const std::vector<BenchRow> &rows) {
    json j;
    j["started_at"] = d.started_at;
    j["finished_at"] = d.finished_at.empty() ? json(nullptr) : json(d.finished_at);
    j["load_average"] = {{"start", d.load_start}, {"end", d.load_end}};
    j["complete"] = !d.finished_at.empty();
    j["host"] = {{"nproc", d.host.nproc},
                 {"cpu_model", d.host.cpu_model},
                 {"ram_gib", d.host.ram_gib},
                 {"kernel", d.host.host_kernel},
                 {"qemu_version", d.host.qemu_version},
                 {"accel", d.accel},
                 {"accel_reason", d.accel_reason}};
    j["timing"] = d.timing;
    j["repeat"] = d.repeat;
    j["planned_runs"] = d.planned_runs;
    std::vector<std::string> labels;
    json kernels = json::array();
    for (const auto &k : d.kernels) {
        labels.push_back(k.label);
        kernels.push_back({{"label", k.label}, {"kernel", k.kernel}, {"initrd", k.initrd}});
    }
    j["kernels"] = kernels;
    j["order"] = orderText(labels, d.repeat);
    json scenarios = json::array();
    for (const auto &s : d.scenarios)
        scenarios.push_back({{"name", s.name},
                             {"description", s.description},
                             {"setup", s.setup},
                             {"memory_mib", s.memory_mib},
                             {"accel", s.accel}});
    j["scenarios"] = scenarios;

    json runs = json::array();
    for (const auto &r : d.runs) {
        json figures = json::object();
        for (const auto &f : r.figures) {
            json fj = sampleJson(f.value);
            if (fj.is_null())
                fj = json::object({{"value", nullptr}});
            fj["label"] = f.label;
            if (!f.note.empty())
                fj["note"] = f.note;
            figures[f.key] = fj;
        }
        runs.push_back({{"scenario", d.scenarios[r.scenario].name},
                        {"repetition", r.repetition},
                        {"kernel", d.kernels[r.kernel].label},
                        {"dir", r.dir},
                        {"outcome", r.outcome},
                        {"reason", r.reason},
                        {"duration_s", r.duration_s},
                        {"figures", figures}});
    }
    j["runs"] = runs;

    json summary = json::array();
    for (const auto &row : rows) {
        json medians = json::object(), raw = json::object(), n = json::object();
        for (std::size_t k = 0; k < d.kernels.size() && k < row.raw.size(); ++k) {
            medians[d.kernels[k].label] = sampleJson(row.medians[k]);
            json values = json::array();
            for (const auto &v : row.raw[k])
                values.push_back(sampleJson(v));
            raw[d.kernels[k].label] = values;
            n[d.kernels[k].label] = count(row.raw[k]);
        }
        json ratio = nullptr;
        if (row.ratio)
            ratio = {{"value", row.ratio->value},
                     {"bound", row.ratio->bound == Ratio::Bound::Exact     ? "exact"
                               : row.ratio->bound == Ratio::Bound::AtLeast ? "at_least"
                                                                           : "at_most"}};
        summary.push_back({{"scenario", row.scenario},
                           {"figure", row.key},
                           {"label", row.label},
                           {"median", medians},
                           {"ratio", ratio},
                           {"ratio_of", ratioHeader(d)},
                           {"n", n},
                           {"runs", raw}});
    }
    j["summary"] = summary;

    json scaling = json::array();
    for (const auto &p : scalingData(d, rows).points) {
        json ret = json::object(), cpu = json::object();
        for (std::size_t k = 0; k < d.kernels.size(); ++k) {
            ret[d.kernels[k].label] = sampleJson(p.return_s[k]);
            cpu[d.kernels[k].label] = sampleJson(p.cpu_per_gib[k]);
        }
        scaling.push_back({{"scenario", p.scenario},
                           {"guest_gib", p.gib},
                           {"return_s", ret},
                           {"qemu_cpu_s_per_gib", cpu}});
    }
    j["scaling"] = scaling;

    json tradeoff = json::array();
    for (const auto &p : tradeoffData(d, rows).points)
        tradeoff.push_back({{"scenario", p.scenario},
                            {"setting", p.setting},
                            {"kernel", d.kernels[p.kernel].label},
                            {"cost_ratio", p.cost_ratio},
                            {"given_back_mib", p.given_back_mib}});
    j["tradeoff"] = tradeoff;
    return j;
}

} // namespace pr
