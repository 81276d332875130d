#include "run_compare.h"

#include "text.h"

namespace pr {

using nlohmann::json;

RunReturn runReturn(const json &result, std::string label) {
    RunReturn r;
    r.label = std::move(label);
    if (!result.is_object() || !result.contains("assertions") || !result["assertions"].is_array())
        return r;
    const json *found = nullptr;
    for (const char *kind : {"rss_returned", "rss_returned_within"}) {
        for (const auto &a : result["assertions"])
            if (a.is_object() && a.value("kind", std::string()) == kind) {
                found = &a;
                break;
            }
        if (found)
            break;
    }
    if (!found)
        return r;
    const json &a = *found;
    r.kind = a.value("kind", std::string());
    r.detail = a.value("detail", std::string());
    const json f = a.contains("figures") ? a["figures"] : json::object();
    r.returned_mib = figureNumber(f, "returned_mib");
    r.peak_t = figureNumber(f, "peak_marker_t");
    if (r.kind == "rss_returned") {
        if (auto after = figureNumber(f, "seconds_after_marker")) {
            r.reached = true;
            r.after_s = after;
        } else {
            r.after_s = figureNumber(f, "lowest_after_s");
            r.window_s = figureNumber(f, "not_reached_within_s");
        }
    } else {
        r.window_s = figureNumber(f, "window_s");
        r.reached = f.is_object() && f.value("window_closed", false);
        r.after_s = r.reached ? r.window_s : std::nullopt;
    }
    return r;
}

std::string returnLine(const RunReturn &r) {
    const std::string head = r.label + ": ";
    if (r.kind.empty())
        return head + "no return measured (no rss_returned assertion in result.json)";
    if (!r.returned_mib)
        return head + "no return measured (" + r.detail + ")";
    std::string line = head + format("%.0f MiB", *r.returned_mib) + " back";
    if (r.kind == "rss_returned_within")
        return r.reached && r.window_s ? line + " within " + format("%g s", *r.window_s)
                                       : line + " so far (" + r.detail + ")";
    if (r.after_s)
        line += " in " + format(*r.after_s < 10 ? "%.2f s" : "%.1f s", *r.after_s);
    if (r.reached)
        return line;
    if (r.window_s)
        return line + " (not all within " + format("%g s", *r.window_s) + ": " + r.detail + ")";
    return line + " (" + r.detail + ")";
}

std::optional<double> returnTime(const RunReturn &r) {
    if (!r.peak_t || !r.after_s)
        return std::nullopt;
    return *r.peak_t + *r.after_s;
}

std::optional<AlignedSeries> alignedSeries(std::string label, const RssTable &table,
                                           const std::string &marker) {
    const TimedMarker *origin = nullptr;
    for (const auto &m : table.markers)
        if (m.marker.event == marker) {
            origin = &m;
            break;
        }
    if (!origin)
        return std::nullopt;
    AlignedSeries out;
    out.origin = origin->t;
    out.series.label = std::move(label);
    out.series.samples = table.samples;
    for (auto &s : out.series.samples)
        s.t -= out.origin;
    for (const auto &m : table.markers)
        if (m.marker.event != "value")
            out.series.markers.push_back({m.t - out.origin, m.marker});
    return out;
}

} // namespace pr
