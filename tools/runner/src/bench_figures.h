// The figures `pr-runner bench` takes from one run, read off the scenario's assertion
// results (so the bench measures exactly what the assertions check). Pure.
//
//   rss_returned         return_s      seconds from the peak marker ("freed") until host
//                                      RSS got back the required fraction of the growth
//                        returned_mib  MiB returned by then
//                        qemu_cpu_s    CPU time (user + system) of QEMU over that interval
//                        qemu_cpu_s_per_gib  qemu_cpu_s / (returned_mib / 1024): the vCPUs
//                                      are QEMU threads, so the guest's reporting work
//                                      plus the host's madvise
//   rss_returned_within  mib_returned_within  MiB returned within the window
//                        qemu_cpu_s    CPU time of QEMU over the window
//   thp_kept             thp_share_before, thp_share_after, thp_kept  (percent) the share
//                                      of QEMU's anonymous memory on host huge pages
//                                      before the free and after the window, and their ratio
//   rss_given_back       given_back_mib_s  host memory given back over an interval (MiB*s)
//                        given_back_mean_mib  its mean over the interval (MiB)
//   value                <name>        the value the guest reported (e.g. churn_ms)
//
// A return not reached within the window is a lower bound (return_s > within_s; CPU over
// the whole window; CPU per GiB: the window's CPU per GiB grown).
#pragma once

#include "bench_stats.h"
#include "report.h"
#include "scenario.h"

#include <optional>
#include <string>
#include <vector>

namespace pr {

struct Figure {
    std::string key;   // unique within a scenario, e.g. "return_s"
    std::string label; // for tables, e.g. "return 95 % (s)"
    std::optional<Sample> value;
    std::string note; // "not reached within 60 s", or why there is no value
};

// The figures a scenario yields, in order, without values.
std::vector<Figure> figureSpecs(const Scenario &s);

// The figures of a finished run (`r.assertions` parallel to `s.assertions`).
std::vector<Figure> extractFigures(const Scenario &s, const RunResult &r);

// The same figures with no values, each noting `why` (the run produced no result).
std::vector<Figure> missingFigures(const Scenario &s, const std::string &why);

// CPU seconds per GiB: `cpu` / (`mib` / 1024), a lower bound when `cpu` is one. nullopt
// when `mib` is not positive (nothing returned: no meaningful cost per GiB).
std::optional<Sample> cpuPerGib(const Sample &cpu, double mib);

// CPU time of QEMU at `t`: the last sample at or before `t` that has one.
std::optional<double> cpuAt(const std::vector<RssSample> &samples, double t);

// Charts of a scenario with an RSS assertion are aligned on its peak marker: the marker's
// name (nullopt if the scenario has none).
std::optional<std::string> chartMarker(const Scenario &s);

} // namespace pr
