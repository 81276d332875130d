#include "assertions.h"

#include "text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace pr {

using nlohmann::json;

namespace {

// Integers as integers (1100000, not 1.1e+06), other values with up to 6 significant digits.
std::string number(double v) {
    if (v == static_cast<double>(static_cast<long long>(v)) && std::abs(v) < 1e15)
        return format("%.0f", v);
    return format("%g", v);
}

std::string quoted(const std::string &s) { return "'" + s + "'"; }

const TimedMarker *firstMarker(const RunRecord &r, const std::string &event) {
    for (const auto &m : r.markers)
        if (m.marker.event == event)
            return &m;
    return nullptr;
}

AssertionResult pending(std::string detail) {
    return {Verdict::Pending, std::move(detail), json::object()};
}
AssertionResult failed(std::string detail, json figures = json::object()) {
    return {Verdict::Fail, std::move(detail), std::move(figures)};
}
AssertionResult passed(std::string detail, json figures = json::object()) {
    return {Verdict::Pass, std::move(detail), std::move(figures)};
}

std::string mib(double v) { return format("%.0f MiB", v); }

AssertionResult missingMarker(const std::string &event, bool final) {
    return final ? failed("never saw marker " + quoted(event))
                 : pending("waiting for marker " + quoted(event));
}

// While the `within_s` window after `marker` is open (`after_s` into it): pending, or failed
// if the run is over; `so_far` tells what was measured until then.
AssertionResult windowOpen(const std::string &marker, double after_s, double within_s, bool final,
                           const std::string &so_far = "", json figures = json::object()) {
    if (final)
        return failed("run ended " + format("%.1f s", after_s) + " after " + quoted(marker) +
                          ", before the " + number(within_s) + " s window closed" +
                          (so_far.empty() ? "" : "; " + so_far + " so far"),
                      std::move(figures));
    return pending("waiting for the " + number(within_s) + " s window after " + quoted(marker) +
                   " to close" + (so_far.empty() ? "" : "; so far " + so_far));
}

// Scans lines [from, to) for a match; returns a Fail result for the first one.
std::optional<AssertionResult> scanLines(const std::regex &re, const RunRecord &r, std::size_t from,
                                         std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (std::regex_search(r.console_lines[i], re))
            return failed("console line " + std::to_string(i + 1) + ": " + r.console_lines[i],
                          json{{"line_number", i + 1}, {"line", r.console_lines[i]}});
    }
    return std::nullopt;
}

} // namespace

std::string kindName(const Assertion &a) {
    return std::visit(Overloaded{
                          [](const MarkerAssertion &) { return "marker"; },
                          [](const NoConsoleMatchAssertion &) { return "no_console_match"; },
                          [](const RssReturnedAssertion &) { return "rss_returned"; },
                          [](const RssReturnedWithinAssertion &) { return "rss_returned_within"; },
                          [](const ThpKeptAssertion &) { return "thp_kept"; },
                          [](const RssGivenBackAssertion &) { return "rss_given_back"; },
                          [](const ValueAssertion &) { return "value"; },
                      },
                      a);
}

std::string describe(const Assertion &a) {
    return std::visit(Overloaded{
                          [](const MarkerAssertion &m) {
                              std::string s = "marker '" + m.event;
                              for (const auto &w : m.words)
                                  s += " " + w;
                              for (const auto &[k, v] : m.args)
                                  s += " " + k + "=" + v;
                              return s + "'";
                          },
                          [](const NoConsoleMatchAssertion &m) {
                              return "no console line matches /" + m.regex + "/";
                          },
                          [](const RssReturnedAssertion &m) {
                              return "RSS grown after " + quoted(m.from_marker) + " returned " +
                                     format("%.0f %%", m.fraction * 100) + " within " +
                                     number(m.within_s) + " s" + " of " + quoted(m.peak_marker);
                          },
                          [](const RssReturnedWithinAssertion &m) {
                              std::string s = "RSS grown after " + quoted(m.from_marker) +
                                              " returned within " + number(m.within_s) + " s of " +
                                              quoted(m.peak_marker);
                              return m.min_mib > 0 ? s + " (at least " + mib(m.min_mib) + ")" : s;
                          },
                          [](const ThpKeptAssertion &m) {
                              std::string s = "host huge pages kept " + number(m.within_s) +
                                              " s after " + quoted(m.peak_marker);
                              return m.min_kept > 0 ? s + " (at least " +
                                                          format("%.0f %%", m.min_kept * 100) + ")"
                                                    : s;
                          },
                          [](const RssGivenBackAssertion &m) {
                              return "host memory given back between " + quoted(m.from_marker) +
                                     " and " + quoted(m.to_marker);
                          },
                          [](const ValueAssertion &m) {
                              std::string s = "value " + m.name;
                              if (m.min && m.max)
                                  return s + " in [" + number(*m.min) + ", " + number(*m.max) + "]";
                              if (m.min)
                                  return s + " >= " + number(*m.min);
                              if (m.max)
                                  return s + " <= " + number(*m.max);
                              return s + " reported";
                          },
                      },
                      a);
}

std::optional<double> figureNumber(const json &figures, const char *key) {
    if (!figures.is_object() || !figures.contains(key) || !figures[key].is_number())
        return std::nullopt;
    return figures[key].get<double>();
}

std::string verdictName(Verdict v) {
    switch (v) {
    case Verdict::Pending:
        return "pending";
    case Verdict::Pass:
        return "pass";
    case Verdict::Fail:
        return "fail";
    }
    return "?";
}

AssertionResult evaluateMarker(const MarkerAssertion &a, const RunRecord &r, bool final) {
    const TimedMarker *tm = firstMarker(r, a.event);
    if (!tm)
        return missingMarker(a.event, final);
    const Marker &m = tm->marker;
    json figures = {{"t", tm->t}, {"marker", m.text}};
    bool ok = m.words.size() >= a.words.size() &&
              std::equal(a.words.begin(), a.words.end(), m.words.begin());
    for (const auto &[k, v] : a.args)
        ok = ok && m.arg(k) == v;
    std::string seen = "saw '" + m.text + "' at " + format("%.1f s", tm->t);
    return ok ? passed(seen, figures) : failed(seen, figures);
}

namespace {

// Baseline, peak and growth of RSS between two markers, shared by the rss_returned kinds.
struct Growth {
    double from_t = 0, peak_t = 0;
    double baseline = 0, peak = 0, grown = 0;
    json figures;

    // "returned 742 MiB of 768 MiB grown (96.6 %<extra>)" once RSS is down to `rss`.
    std::string returnedText(double rss, const std::string &extra = "") const {
        return "returned " + mib(peak - rss) + " of " + mib(grown) + " grown (" +
               format("%.1f %%", 100.0 * (peak - rss) / grown) + extra + ")";
    }
};

// The growth, or the result to report while it cannot be measured (pending or failed).
std::variant<Growth, AssertionResult> measureGrowth(const std::string &from_marker,
                                                    const std::string &peak_marker,
                                                    double min_growth_mib, const RunRecord &r,
                                                    bool final) {
    const TimedMarker *from = firstMarker(r, from_marker);
    const TimedMarker *peak_m = from ? firstMarker(r, peak_marker) : nullptr;
    if (!from || !peak_m) {
        const std::string &missing = from ? peak_marker : from_marker;
        return missingMarker(missing, final);
    }
    Growth g;
    g.from_t = from->t;
    g.peak_t = peak_m->t;
    if (g.peak_t < g.from_t)
        return failed("marker " + quoted(peak_marker) + " came before " + quoted(from_marker));

    // Baseline: the last sample at or before from_t, else the first one after it.
    const RssSample *baseline = nullptr;
    for (const auto &s : r.samples) {
        if (s.t <= g.from_t || !baseline)
            baseline = &s;
        if (s.t > g.from_t)
            break;
    }
    if (!baseline)
        return final ? failed("no RSS samples were taken") : pending("waiting for RSS samples");

    g.baseline = baseline->mib;
    g.peak = g.baseline;
    for (const auto &s : r.samples)
        if (s.t >= g.from_t && s.t <= g.peak_t)
            g.peak = std::max(g.peak, s.mib);
    g.grown = g.peak - g.baseline;
    g.figures = {{"baseline_mib", g.baseline},
                 {"peak_mib", g.peak},
                 {"grown_mib", g.grown},
                 {"from_t", g.from_t},
                 {"peak_marker_t", g.peak_t}};
    if (g.grown < min_growth_mib)
        return failed("RSS grew only " + format("%.1f MiB", g.grown) + " between " +
                          quoted(from_marker) + " and " + quoted(peak_marker) + " (baseline " +
                          mib(g.baseline) + ", peak " + mib(g.peak) + "); need at least " +
                          number(min_growth_mib) + " MiB" + " to measure a return",
                      g.figures);
    return g;
}

} // namespace

AssertionResult evaluateRssReturned(const RssReturnedAssertion &a, const RunRecord &r, double now,
                                    bool final) {
    auto measured = measureGrowth(a.from_marker, a.peak_marker, a.min_growth_mib, r, final);
    if (auto *early = std::get_if<AssertionResult>(&measured))
        return *early;
    const Growth &g = std::get<Growth>(measured);
    const double peak = g.peak, grown = g.grown, peak_t = g.peak_t;
    const double target = peak - a.fraction * grown;
    json figures = g.figures;
    figures["target_mib"] = target;

    double lowest = peak, lowest_after = 0;
    for (const auto &s : r.samples) {
        if (s.t <= peak_t)
            continue;
        double after = s.t - peak_t;
        if (after > a.within_s)
            break;
        if (s.mib < lowest) {
            lowest = s.mib;
            lowest_after = after;
        }
        if (s.mib <= target) {
            figures["returned_mib"] = peak - s.mib;
            figures["returned_fraction"] = (peak - s.mib) / grown;
            figures["seconds_after_marker"] = after;
            figures["rss_mib"] = s.mib;
            return passed(g.returnedText(s.mib) + " " + format("%.1f s", after) + " after " +
                              quoted(a.peak_marker),
                          figures);
        }
    }
    figures["lowest_mib"] = lowest;
    figures["lowest_after_s"] = lowest_after; // when the best so far was reached
    figures["returned_mib"] = peak - lowest;
    figures["returned_fraction"] = (peak - lowest) / grown;
    std::string best = g.returnedText(lowest, ", needed " + format("%.0f %%", a.fraction * 100));
    if (now - peak_t > a.within_s) {
        figures["not_reached_within_s"] = a.within_s;
        return failed("only " + best + " within " + number(a.within_s) + " s" + " after " +
                          quoted(a.peak_marker),
                      figures);
    }
    if (final)
        return failed("run ended " + format("%.1f s", now - peak_t) + " after " +
                          quoted(a.peak_marker) + " with only " + best,
                      figures);
    return pending("waiting for RSS <= " + mib(target) + "; so far " + g.returnedText(lowest));
}

AssertionResult evaluateRssReturnedWithin(const RssReturnedWithinAssertion &a, const RunRecord &r,
                                          double now, bool final) {
    auto measured = measureGrowth(a.from_marker, a.peak_marker, a.min_growth_mib, r, final);
    if (auto *early = std::get_if<AssertionResult>(&measured))
        return *early;
    const Growth &g = std::get<Growth>(measured);
    double lowest = g.peak;
    for (const auto &s : r.samples)
        if (s.t > g.peak_t && s.t - g.peak_t <= a.within_s)
            lowest = std::min(lowest, s.mib);
    const double returned = g.peak - lowest;
    json figures = g.figures;
    figures["lowest_mib"] = lowest;
    figures["returned_mib"] = returned;
    figures["returned_fraction"] = returned / g.grown;
    figures["window_s"] = a.within_s;
    figures["window_closed"] = now - g.peak_t >= a.within_s;
    // "returned 12 MiB of 768 MiB grown (1.6 %) within 30 s after 'freed'"
    std::string text = g.returnedText(lowest);
    if (now - g.peak_t < a.within_s)
        return windowOpen(a.peak_marker, now - g.peak_t, a.within_s, final, text, figures);
    text += " within " + number(a.within_s) + " s after " + quoted(a.peak_marker);
    if (returned < a.min_mib)
        return failed("only " + text + "; needed " + mib(a.min_mib), figures);
    return passed(text, figures);
}

bool needsThpSamples(const std::vector<Assertion> &assertions) {
    return std::any_of(assertions.begin(), assertions.end(), [](const Assertion &a) {
        return std::holds_alternative<ThpKeptAssertion>(a);
    });
}

AssertionResult evaluateThpKept(const ThpKeptAssertion &a, const RunRecord &r, double now,
                                bool final) {
    const TimedMarker *peak = firstMarker(r, a.peak_marker);
    if (!peak)
        return missingMarker(a.peak_marker, final);
    if (now - peak->t < a.within_s)
        return windowOpen(a.peak_marker, now - peak->t, a.within_s, final);
    const RssSample *before = nullptr, *after = nullptr;
    for (const auto &s : r.samples) {
        if (!s.anon_mib || !s.anon_huge_mib || !(*s.anon_mib > 0))
            continue;
        if (s.t <= peak->t)
            before = &s;
        else if (s.t - peak->t <= a.within_s)
            after = &s;
    }
    if (!before || !after)
        return failed("no huge page samples " + std::string(before ? "after " : "before ") +
                      quoted(a.peak_marker));
    const double share_before = *before->anon_huge_mib / *before->anon_mib;
    // A host that gave QEMU no huge pages (THP off) has none to keep: nothing to judge.
    if (!(*before->anon_huge_mib > 0))
        return passed("no huge pages under QEMU's memory before " + quoted(a.peak_marker) +
                          " (host THP off?): nothing to keep",
                      {{"thp_before_mib", 0.0}, {"anon_before_mib", *before->anon_mib}});
    const double share_after = *after->anon_huge_mib / *after->anon_mib;
    const double kept = share_before > 0 ? share_after / share_before : 0;
    json figures = {{"thp_before_mib", *before->anon_huge_mib},
                    {"anon_before_mib", *before->anon_mib},
                    {"thp_after_mib", *after->anon_huge_mib},
                    {"anon_after_mib", *after->anon_mib},
                    {"thp_share_before", share_before},
                    {"thp_share_after", share_after},
                    {"thp_kept", kept}};
    std::string text = "huge pages back " + format("%.0f %%", 100 * share_before) + " of " +
                       mib(*before->anon_mib) + " anonymous before, " +
                       format("%.0f %%", 100 * share_after) + " of " + mib(*after->anon_mib) +
                       " after: kept " + format("%.0f %%", 100 * kept);
    if (kept < a.min_kept)
        return failed(text + "; needed " + format("%.0f %%", 100 * a.min_kept), figures);
    return passed(text, figures);
}

AssertionResult evaluateRssGivenBack(const RssGivenBackAssertion &a, const RunRecord &r,
                                     bool final) {
    const TimedMarker *from = firstMarker(r, a.from_marker);
    const TimedMarker *to = from ? firstMarker(r, a.to_marker) : nullptr;
    if (!from || !to) {
        const std::string &missing = from ? a.to_marker : a.from_marker;
        return missingMarker(missing, final);
    }
    double highest = 0, integral = 0;
    const RssSample *prev = nullptr;
    for (const auto &s : r.samples) {
        if (s.t < from->t || s.t > to->t)
            continue;
        highest = std::max(highest, s.mib);
        if (prev)
            integral += (highest - s.mib) * (s.t - prev->t);
        prev = &s;
    }
    const double span = to->t - from->t;
    if (!prev || !(span > 0))
        return failed("no RSS samples between " + quoted(a.from_marker) + " and " +
                      quoted(a.to_marker));
    json figures = {
        {"given_back_mib_s", integral}, {"given_back_mean_mib", integral / span}, {"span_s", span}};
    return passed(format("%.0f MiB*s", integral) + " given back over " + format("%.1f s", span) +
                      " (" + format("%.0f MiB", integral / span) + " on average)",
                  figures);
}

AssertionResult evaluateValue(const ValueAssertion &a, const RunRecord &r, bool final) {
    for (const auto &tm : r.markers) {
        const Marker &m = tm.marker;
        if (m.event != "value" || m.arg("name") != a.name)
            continue;
        auto text = m.arg("v");
        if (!text)
            return failed("value marker '" + m.text + "' has no v=<number>");
        char *end = nullptr;
        double v = std::strtod(text->c_str(), &end);
        if (text->empty() || *end != '\0')
            return failed("value " + a.name + " is not a number: '" + *text + "'");
        json figures = {{"value", v}, {"t", tm.t}};
        std::string shown = a.name + " = " + *text;
        if (a.min && v < *a.min)
            return failed(shown + ", below the minimum " + number(*a.min), figures);
        if (a.max && v > *a.max)
            return failed(shown + ", above the maximum " + number(*a.max), figures);
        return passed(shown, figures);
    }
    return final ? failed("guest never reported value " + quoted(a.name))
                 : pending("waiting for value " + quoted(a.name));
}

Evaluator::Evaluator(std::vector<Assertion> assertions) : assertions_(std::move(assertions)) {
    for (const auto &a : assertions_) {
        if (auto *m = std::get_if<NoConsoleMatchAssertion>(&a))
            scans_.push_back(ConsoleScan{std::regex(m->regex, std::regex::ECMAScript), 0, {}});
        else
            scans_.push_back(std::nullopt);
    }
}

std::vector<AssertionResult> Evaluator::evaluate(const RunRecord &record, double now, bool final) {
    std::vector<AssertionResult> results;
    for (std::size_t i = 0; i < assertions_.size(); ++i) {
        results.push_back(std::visit(
            Overloaded{
                [&](const MarkerAssertion &m) { return evaluateMarker(m, record, final); },
                [&](const NoConsoleMatchAssertion &) { return scanConsole(*scans_[i], record); },
                [&](const RssReturnedAssertion &m) {
                    return evaluateRssReturned(m, record, now, final);
                },
                [&](const RssReturnedWithinAssertion &m) {
                    return evaluateRssReturnedWithin(m, record, now, final);
                },
                [&](const ThpKeptAssertion &m) { return evaluateThpKept(m, record, now, final); },
                [&](const RssGivenBackAssertion &m) {
                    return evaluateRssGivenBack(m, record, final);
                },
                [&](const ValueAssertion &m) { return evaluateValue(m, record, final); },
            },
            assertions_[i]));
    }
    return results;
}

AssertionResult Evaluator::scanConsole(ConsoleScan &scan, const RunRecord &record) {
    if (!scan.failure) {
        scan.failure = scanLines(scan.re, record, scan.scanned, record.console_lines.size());
        scan.scanned = record.console_lines.size();
    }
    return scan.failure ? *scan.failure
                        : passed("no match in " + std::to_string(scan.scanned) + " console lines");
}

bool allDecided(const std::vector<AssertionResult> &results) {
    return std::none_of(results.begin(), results.end(),
                        [](const AssertionResult &r) { return r.verdict == Verdict::Pending; });
}

bool anyFailed(const std::vector<AssertionResult> &results) {
    return std::any_of(results.begin(), results.end(),
                       [](const AssertionResult &r) { return r.verdict == Verdict::Fail; });
}

} // namespace pr
