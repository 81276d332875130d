#include "bench_charts.h"

#include "text.h"

#include <algorithm>
#include <regex>

namespace pr {

namespace {

const std::string kPrefix = "bench-burst-";
const std::string kNoReport = "-noreport";

const BenchRow *findRow(const std::vector<BenchRow> &rows, const std::string &scenario,
                        const std::string &key) {
    for (const auto &r : rows)
        if (r.scenario == scenario && r.key == key)
            return &r;
    return nullptr;
}

// Each kernel's median in `row` (none without a row).
std::vector<std::optional<Sample>> mediansOf(const BenchRow *row, std::size_t kernels) {
    std::vector<std::optional<Sample>> out(kernels);
    if (row)
        for (std::size_t k = 0; k < kernels && k < row->medians.size(); ++k)
            out[k] = row->medians[k];
    return out;
}

bool hasScenario(const BenchData &d, const std::string &name) {
    return std::any_of(d.scenarios.begin(), d.scenarios.end(),
                       [&](const BenchScenarioInfo &s) { return s.name == name; });
}

} // namespace

std::optional<double> guestGib(int memory_mib, const std::string &name) {
    if (memory_mib > 0)
        return memory_mib / 1024.0;
    static const std::regex size("(^|-)([0-9]+)([gGmM])(-|$)");
    std::smatch m;
    if (!std::regex_search(name, m, size))
        return std::nullopt;
    double n = std::stod(m[2].str());
    if (n <= 0)
        return std::nullopt;
    return (m[3].str() == "g" || m[3].str() == "G") ? n : n / 1024;
}

ScalingData scalingData(const BenchData &d, const std::vector<BenchRow> &rows) {
    ScalingData out;
    for (const auto &k : d.kernels)
        out.kernels.push_back(k.label);
    for (const auto &s : d.scenarios) {
        const BenchRow *ret = findRow(rows, s.name, "return_s");
        auto gib = guestGib(s.memory_mib, s.name);
        if (!ret || !gib)
            continue;
        bool taken = std::any_of(out.points.begin(), out.points.end(),
                                 [&](const ScalingPoint &p) { return p.gib == *gib; });
        if (taken)
            continue;
        if (out.return_label.empty())
            out.return_label = ret->label;
        out.points.push_back(
            {s.name, *gib, mediansOf(ret, d.kernels.size()),
             mediansOf(findRow(rows, s.name, "qemu_cpu_s_per_gib"), d.kernels.size())});
    }
    std::stable_sort(out.points.begin(), out.points.end(),
                     [](const ScalingPoint &a, const ScalingPoint &b) { return a.gib < b.gib; });
    return out;
}

std::optional<PanelPlotSpec> scalingPlotSpec(const ScalingData &s,
                                             const std::filesystem::path &output_png) {
    PanelPlotSpec spec;
    spec.title = "drain scaling: medians per kernel by guest size";
    spec.xlabel = "guest size (GiB)";
    spec.output_png = output_png;
    XYPanel time{"drain time: " + s.return_label + ", log scale", s.return_label, true, {}};
    XYPanel cpu{"QEMU CPU per GiB returned (guest + host: the vCPUs are QEMU threads)",
                "QEMU CPU per GiB returned (s/GiB)",
                false,
                {}};
    bool any = false;
    for (std::size_t k = 0; k < s.kernels.size(); ++k) {
        XYSeries ts{s.kernels[k], static_cast<int>(k) + 1, {}};
        XYSeries cs = ts;
        for (const auto &p : s.points) {
            if (k < p.return_s.size() && p.return_s[k])
                ts.points.push_back({p.gib, p.return_s[k]->value, p.return_s[k]->lower_bound});
            if (k < p.cpu_per_gib.size() && p.cpu_per_gib[k])
                cs.points.push_back(
                    {p.gib, p.cpu_per_gib[k]->value, p.cpu_per_gib[k]->lower_bound});
        }
        any = any || !ts.points.empty() || !cs.points.empty();
        time.series.push_back(std::move(ts));
        cpu.series.push_back(std::move(cs));
    }
    if (!any)
        return std::nullopt;
    for (const auto &p : s.points)
        spec.xtics.push_back(p.gib);
    spec.panels = {std::move(time), std::move(cpu)};
    return spec;
}

std::string tradeoffSetting(const std::string &name) {
    if (name.size() > kPrefix.size() && name.compare(0, kPrefix.size(), kPrefix) == 0)
        return name.substr(kPrefix.size());
    return name;
}

TradeoffData tradeoffData(const BenchData &d, const std::vector<BenchRow> &rows) {
    TradeoffData out;
    for (const auto &k : d.kernels)
        out.kernels.push_back(k.label);
    for (const auto &s : d.scenarios) {
        const std::string off = s.name + kNoReport;
        if (!hasScenario(d, off))
            continue;
        const std::size_t n = d.kernels.size();
        auto on_ms = mediansOf(findRow(rows, s.name, "burst_ms"), n);
        auto off_ms = mediansOf(findRow(rows, off, "burst_ms"), n);
        auto mib = mediansOf(findRow(rows, s.name, "given_back_mean_mib"), n);
        // burst_ms and the memory given back are measured values, never lower bounds.
        for (std::size_t k = 0; k < n; ++k) {
            if (!on_ms[k] || !off_ms[k] || !mib[k] || !(off_ms[k]->value > 0))
                continue;
            out.points.push_back({s.name, tradeoffSetting(s.name), k,
                                  on_ms[k]->value / off_ms[k]->value, mib[k]->value});
        }
    }
    return out;
}

std::optional<PanelPlotSpec> tradeoffPlotSpec(const TradeoffData &t,
                                              const std::filesystem::path &output_png) {
    if (t.points.empty())
        return std::nullopt;
    PanelPlotSpec spec;
    spec.title = "bursty churn: what reporting costs against what the host gets back, medians "
                 "per kernel and pause setting";
    spec.xlabel = "churn cost: median burst_ms with reporting / without (1.0 = free)";
    spec.output_png = output_png;
    spec.height = 600;
    XYPanel panel{"each point: one pause setting; up and left is better",
                  "mean host memory given back over the churn (MiB)",
                  false,
                  {}};
    panel.lines = false;
    static const int kPointTypes[] = {7, 5, 9, 13}; // filled circle, square, triangle, diamond
    double lo = 1.0, hi = kTradeoffGoal;
    for (std::size_t k = 0; k < t.kernels.size(); ++k) {
        XYSeries series{t.kernels[k], static_cast<int>(k) + 1, {}};
        series.point_type = kPointTypes[k % 4];
        for (const auto &p : t.points) {
            if (p.kernel != k)
                continue;
            series.points.push_back({p.cost_ratio, p.given_back_mib, false, p.setting});
            lo = std::min(lo, p.cost_ratio);
            hi = std::max(hi, p.cost_ratio);
        }
        panel.series.push_back(std::move(series));
    }
    double pad = (hi - lo) * 0.1;
    spec.x_min = lo - pad;
    spec.x_max = hi + pad;
    spec.x_lines.push_back({kTradeoffGoal, format("goal: %gx", kTradeoffGoal)});
    spec.panels = {std::move(panel)};
    return spec;
}

} // namespace pr
