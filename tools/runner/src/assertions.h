// Assertions a scenario makes about a run, and their evaluation over a RunRecord.
//
// Evaluation is a pure function of the record, the current time and whether the run is
// over: it yields Pending while the outcome can still change, Pass or Fail once decided.
#pragma once

#include "run_record.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

namespace pr {

// The first marker with `event` decides: Pass if its leading words start with `words` and
// it carries every key=value in `args`, Fail otherwise. Fail at the end if never seen.
struct MarkerAssertion {
    std::string event;
    std::vector<std::string> words;
    std::map<std::string, std::string> args;
};

// Fails as soon as a console line matches `regex` (ECMAScript syntax, searched anywhere in
// the line). Counts as passed while nothing has matched.
struct NoConsoleMatchAssertion {
    std::string regex;
};

// Host RSS goes back down after the guest frees memory.
// baseline = RSS at `from_marker`; peak = max RSS between `from_marker` and `peak_marker`;
// passes once RSS <= peak - fraction * (peak - baseline) within `within_s` seconds after
// `peak_marker`. Fails if RSS grew by less than `min_growth_mib` (nothing to return).
struct RssReturnedAssertion {
    std::string from_marker;
    std::string peak_marker;
    double fraction = 0.9;
    double within_s = 60;
    double min_growth_mib = 1;
};

// How much of the RSS grown between `from_marker` and `peak_marker` (baseline and peak as
// for RssReturnedAssertion) the host got back within `within_s` seconds after
// `peak_marker`: peak minus the lowest RSS in that window. Decided once the window has
// passed; passes if at least `min_mib` came back (default 0: a measurement, not a check).
struct RssReturnedWithinAssertion {
    std::string from_marker;
    std::string peak_marker;
    double within_s = 30;
    double min_mib = 0;
    double min_growth_mib = 1;
};

// How much of QEMU's anonymous memory is backed by the host's transparent huge pages before
// the guest frees (the last smaps sample at or before `peak_marker`) and `within_s` seconds
// after: the shares (AnonHugePages / Anonymous) and kept = after / before. Memory returned
// in whole huge pages leaves the share as it was; small returns split the huge pages under
// the memory still in use. Decided once the window has passed; passes if kept >= min_kept
// (default 0: a measurement).
struct ThpKeptAssertion {
    std::string peak_marker;
    double within_s = 30;
    double min_kept = 0;
};

// The host memory the guest gave back between `from_marker` and `to_marker`, integrated over
// time: for each RSS sample, the highest RSS seen since `from_marker` less the current one,
// times the sampling interval, in MiB*s; and its mean over the interval. Decided at
// `to_marker`; a measurement, it passes when measured.
struct RssGivenBackAssertion {
    std::string from_marker;
    std::string to_marker;
};

// The first "@@PR value name=<name> v=<number>" marker decides: min <= v <= max.
struct ValueAssertion {
    std::string name;
    std::optional<double> min;
    std::optional<double> max;
};

using Assertion = std::variant<MarkerAssertion, NoConsoleMatchAssertion, RssReturnedAssertion,
                               RssReturnedWithinAssertion, ThpKeptAssertion, RssGivenBackAssertion,
                               ValueAssertion>;

// Overloaded{lambda...}: one visitor for std::visit over an Assertion out of several lambdas.
template <class... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

// Whether any assertion of a scenario needs huge page samples (ThpKeptAssertion).
bool needsThpSamples(const std::vector<Assertion> &assertions);

std::string kindName(const Assertion &a); // "marker", "no_console_match", ...
std::string describe(const Assertion &a); // one line for humans

enum class Verdict { Pending, Pass, Fail };
std::string verdictName(Verdict v); // "pending", "pass", "fail"

struct AssertionResult {
    Verdict verdict = Verdict::Pending;
    std::string detail; // measured figure or reason, e.g. "returned 742 MiB of ..."
    nlohmann::json figures = nlohmann::json::object();
};

// The number `figures[key]` (figures as above, or read back from a result.json); nullopt if
// there is none.
std::optional<double> figureNumber(const nlohmann::json &figures, const char *key);

// Evaluates one assertion. `now` is the current run time in seconds; `final` says the run
// is over, so anything still pending fails.
AssertionResult evaluateMarker(const MarkerAssertion &a, const RunRecord &r, bool final);
AssertionResult evaluateRssReturned(const RssReturnedAssertion &a, const RunRecord &r, double now,
                                    bool final);
AssertionResult evaluateRssReturnedWithin(const RssReturnedWithinAssertion &a, const RunRecord &r,
                                          double now, bool final);
AssertionResult evaluateThpKept(const ThpKeptAssertion &a, const RunRecord &r, double now,
                                bool final);
AssertionResult evaluateRssGivenBack(const RssGivenBackAssertion &a, const RunRecord &r,
                                     bool final);
AssertionResult evaluateValue(const ValueAssertion &a, const RunRecord &r, bool final);

// Evaluates a scenario's assertion list. Holds the compiled regexes; console lines are
// scanned incrementally (the record must only grow between calls).
class Evaluator {
public:
    // Throws std::regex_error for an invalid regex (scenario loading checks this first).
    explicit Evaluator(std::vector<Assertion> assertions);

    std::vector<AssertionResult> evaluate(const RunRecord &record, double now, bool final);

private:
    struct ConsoleScan {
        std::regex re;
        std::size_t scanned = 0;
        std::optional<AssertionResult> failure;
    };
    // A no_console_match assertion: scans the lines added since the previous call.
    static AssertionResult scanConsole(ConsoleScan &scan, const RunRecord &record);

    std::vector<Assertion> assertions_;
    std::vector<std::optional<ConsoleScan>> scans_; // one per assertion, set for console ones
};

bool allDecided(const std::vector<AssertionResult> &results);
bool anyFailed(const std::vector<AssertionResult> &results);

} // namespace pr
