// Small text formatting helpers shared by the run, report and bench code.
#pragma once

#include <string>

namespace pr {

// The current time as an ISO 8601 UTC timestamp, e.g. "2026-11-25T12:54:41Z".
std::string utcNow();

// @v with exactly @decimals digits after the point, e.g. fixed(0.25, 3) == "0.250".
std::string fixed(double v, int decimals);

} // namespace pr
