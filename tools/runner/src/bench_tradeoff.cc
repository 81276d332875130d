#include "bench_tradeoff.h"

#include <algorithm>
#include <cstdio>

namespace pr {

namespace {

const std::string kPrefix = "bench-burst-";
const std::string kNoReport = "-noreport";

// Kernel `k`'s median of figure `key` of `scenario`, if there is one.
std::optional<Sample> medianOf(const std::vector<BenchRow> &rows, const std::string &scenario,
                               const std::string &key, std::size_t k) {
    for (const auto &r : rows)
        if (r.scenario == scenario && r.key == key)
            return k < r.medians.size() ? r.medians[k] : std::nullopt;
    return std::nullopt;
}

bool hasScenario(const BenchData &d, const std::string &name) {
    return std::any_of(d.scenarios.begin(), d.scenarios.end(),
                       [&](const BenchScenarioInfo &s) { return s.name == name; });
}

} // namespace

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
        // burst_ms and the memory given back are measured values, never lower bounds.
        for (std::size_t k = 0; k < d.kernels.size(); ++k) {
            auto on_ms = medianOf(rows, s.name, "burst_ms", k);
            auto off_ms = medianOf(rows, off, "burst_ms", k);
            auto mib = medianOf(rows, s.name, "given_back_mean_mib", k);
            if (!on_ms || !off_ms || !mib || !(off_ms->value > 0))
                continue;
            out.points.push_back(
                {s.name, tradeoffSetting(s.name), k, on_ms->value / off_ms->value, mib->value});
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
    char goal[32];
    std::snprintf(goal, sizeof goal, "goal: %gx", kTradeoffGoal);
    spec.x_lines.push_back({kTradeoffGoal, goal});
    spec.panels = {std::move(panel)};
    return spec;
}

} // namespace pr
