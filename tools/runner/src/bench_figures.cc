#include "bench_figures.h"

#include "text.h"

namespace pr {

namespace {

std::string seconds(double s) { return format("%g s", s); }

// CPU time of QEMU between two run times, if both ends were sampled.
std::optional<double> cpuBetween(const RunRecord &rec, double from, double to) {
    auto a = cpuAt(rec.samples, from), b = cpuAt(rec.samples, to);
    if (!a || !b)
        return std::nullopt;
    return *b - *a;
}

// The figures of one assertion; with a result when `res` is given (and `rec` with it).
std::vector<Figure> figuresOf(const Assertion &assertion, const AssertionResult *res,
                              const RunRecord *rec) {
    auto missing = [&](const std::string &why) { return res ? why : ""; };
    return std::visit(
        Overloaded{
            [&](const RssReturnedAssertion &a) {
                Figure ret{
                    "return_s", "return " + format("%g %%", a.fraction * 100) + " (s)", {}, ""};
                Figure mib{"returned_mib", "returned (MiB)", {}, ""};
                Figure cpu{"qemu_cpu_s", "QEMU CPU '" + a.peak_marker + "'->return (s)", {}, ""};
                Figure per_gib{"qemu_cpu_s_per_gib", "QEMU CPU per GiB returned (s/GiB)", {}, ""};
                if (!res)
                    return std::vector<Figure>{ret, mib, cpu, per_gib};
                const auto &f = res->figures;
                auto peak_t = figureNumber(f, "peak_marker_t");
                // `cpu` per GiB of `over_mib`, or why there is none.
                auto perGib = [&](double over_mib, const std::string &note) {
                    if (!cpu.value) {
                        per_gib.note = cpu.note;
                        return;
                    }
                    per_gib.value = cpuPerGib(*cpu.value, over_mib);
                    per_gib.note = per_gib.value ? note : "nothing returned";
                };
                if (auto after = figureNumber(f, "seconds_after_marker"); after && peak_t) {
                    ret.value = Sample{*after, false};
                    auto v = figureNumber(f, "returned_mib");
                    if (v)
                        mib.value = Sample{*v, false};
                    if (auto c = cpuBetween(*rec, *peak_t, *peak_t + *after))
                        cpu.value = Sample{*c, false};
                    else
                        cpu.note = "no CPU samples";
                    perGib(v.value_or(0), "");
                } else if (auto window = figureNumber(f, "not_reached_within_s");
                           window && peak_t) {
                    std::string note = "not reached within " + seconds(*window);
                    ret.value = Sample{*window, true};
                    ret.note = note;
                    if (auto v = figureNumber(f, "returned_mib")) {
                        mib.value = Sample{*v, false};
                        mib.note = "best within " + seconds(*window);
                    }
                    if (auto c = cpuBetween(*rec, *peak_t, *peak_t + *window)) {
                        cpu.value = Sample{*c, true};
                        cpu.note = note;
                    } else {
                        cpu.note = "no CPU samples";
                    }
                    // The return would need more CPU and give back at most the growth.
                    perGib(figureNumber(f, "grown_mib").value_or(0), note + "; CPU per GiB grown");
                } else {
                    ret.note = mib.note = cpu.note = per_gib.note = missing(res->detail);
                }
                return std::vector<Figure>{ret, mib, cpu, per_gib};
            },
            [&](const RssReturnedWithinAssertion &a) {
                Figure mib{"mib_returned_within",
                           "returned within " + seconds(a.within_s) + " (MiB)",
                           {},
                           ""};
                Figure cpu{"qemu_cpu_s",
                           "QEMU CPU " + seconds(a.within_s) + " after '" + a.peak_marker + "' (s)",
                           {},
                           ""};
                if (!res)
                    return std::vector<Figure>{mib, cpu};
                const auto &f = res->figures;
                auto peak_t = figureNumber(f, "peak_marker_t");
                auto window = figureNumber(f, "window_s");
                bool closed = f.is_object() && f.value("window_closed", false);
                if (closed && window && peak_t) {
                    if (auto v = figureNumber(f, "returned_mib"))
                        mib.value = Sample{*v, false};
                    if (auto c = cpuBetween(*rec, *peak_t, *peak_t + *window))
                        cpu.value = Sample{*c, false};
                    else
                        cpu.note = "no CPU samples";
                } else {
                    mib.note = cpu.note = missing(res->detail);
                }
                return std::vector<Figure>{mib, cpu};
            },
            [&](const ThpKeptAssertion &a) {
                Figure before{"thp_share_before", "host THP share before (%)", {}, ""};
                Figure after{"thp_share_after",
                             "host THP share " + seconds(a.within_s) + " after (%)",
                             {},
                             ""};
                Figure kept{"thp_kept", "host THP kept (%)", {}, ""};
                if (!res)
                    return std::vector<Figure>{before, after, kept};
                const auto &f = res->figures;
                auto set = [&](Figure &fig, const char *key) {
                    if (auto v = figureNumber(f, key))
                        fig.value = Sample{100 * *v, false};
                    else
                        fig.note = missing(res->detail);
                };
                set(before, "thp_share_before");
                set(after, "thp_share_after");
                set(kept, "thp_kept");
                return std::vector<Figure>{before, after, kept};
            },
            [&](const RssGivenBackAssertion &a) {
                std::string span = "'" + a.from_marker + "'..'" + a.to_marker + "'";
                Figure given{"given_back_mib_s", "given back " + span + " (MiB*s)", {}, ""};
                Figure mean{"given_back_mean_mib", "mean given back " + span + " (MiB)", {}, ""};
                if (!res)
                    return std::vector<Figure>{given, mean};
                for (Figure *fig : {&given, &mean}) {
                    if (auto v = figureNumber(res->figures, fig->key.c_str()))
                        fig->value = Sample{*v, false};
                    else
                        fig->note = missing(res->detail);
                }
                return std::vector<Figure>{given, mean};
            },
            [&](const ValueAssertion &a) {
                Figure v{a.name, a.name, {}, ""};
                if (!res)
                    return std::vector<Figure>{v};
                if (auto value = figureNumber(res->figures, "value"))
                    v.value = Sample{*value, false};
                else
                    v.note = missing(res->detail);
                return std::vector<Figure>{v};
            },
            [](const auto &) { return std::vector<Figure>{}; },
        },
        assertion);
}

} // namespace

std::optional<Sample> cpuPerGib(const Sample &cpu, double mib) {
    if (!(mib > 0))
        return std::nullopt;
    return Sample{cpu.value / (mib / 1024), cpu.lower_bound};
}

std::optional<double> cpuAt(const std::vector<RssSample> &samples, double t) {
    std::optional<double> cpu;
    for (const auto &s : samples) {
        if (s.t > t)
            break;
        if (s.cpu_s)
            cpu = s.cpu_s;
    }
    return cpu;
}

std::vector<Figure> figureSpecs(const Scenario &s) {
    std::vector<Figure> out;
    for (const auto &a : s.assertions)
        for (auto &f : figuresOf(a, nullptr, nullptr))
            out.push_back(std::move(f));
    return out;
}

std::vector<Figure> extractFigures(const Scenario &s, const RunResult &r) {
    if (r.assertions.size() != s.assertions.size())
        return missingFigures(s, "run has no assertion results");
    std::vector<Figure> out;
    for (std::size_t i = 0; i < s.assertions.size(); ++i)
        for (auto &f : figuresOf(s.assertions[i], &r.assertions[i].result, &r.record))
            out.push_back(std::move(f));
    return out;
}

std::vector<Figure> missingFigures(const Scenario &s, const std::string &why) {
    auto out = figureSpecs(s);
    for (auto &f : out)
        f.note = why;
    return out;
}

std::optional<std::string> chartMarker(const Scenario &s) {
    for (const auto &a : s.assertions) {
        if (auto *r = std::get_if<RssReturnedAssertion>(&a))
            return r->peak_marker;
        if (auto *w = std::get_if<RssReturnedWithinAssertion>(&a))
            return w->peak_marker;
    }
    return std::nullopt;
}

} // namespace pr
