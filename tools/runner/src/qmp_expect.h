// Checks a scenario action makes on its QMP replies ("expect" in the scenario file), and
// their evaluation once the run is over, reported like the scenario's assertions.
#pragma once

#include "assertions.h"
#include "report.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pr {

// A value in the reply's "return" object, named by a JSON pointer (RFC 6901, "" is the
// whole return value). It must exist and not be null; with `min` or `max` it must be a
// number within them.
struct QmpExpect {
    std::string pointer;
    std::optional<double> min;
    std::optional<double> max;
};

// Parses an action's "expect" array. `where` prefixes error messages; throws SetupError.
std::vector<QmpExpect> parseQmpExpects(const nlohmann::json &j, const std::string &where);

// "/last-update >= 1", "/a in [1, 2]", "/a present".
std::string describeExpect(const QmpExpect &e);

// Checks one reply ("return" value): empty when it satisfies `e`, else why not.
std::string checkQmpExpect(const QmpExpect &e, const nlohmann::json &reply);

// One report per expectation of an action (identified by `on_marker`, `execute` and
// `arguments`), over the records of every time it ran: Pass if every reply satisfies it;
// Fail if any does not, if the command failed, or if the action never ran.
std::vector<AssertionReport> evaluateQmpExpects(const std::string &on_marker,
                                                const std::string &execute,
                                                const nlohmann::json &arguments,
                                                const std::vector<QmpExpect> &expect,
                                                const std::vector<ActionRecord> &records);

} // namespace pr
