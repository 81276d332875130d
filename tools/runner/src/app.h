// The commands behind the CLI, one execute() each: validate the environment, run, print.
// main() only dispatches and maps exceptions to exit codes.
#pragma once

#include "cli.h"

#include <ostream>

namespace pr {

enum ExitCode { kExitPass = 0, kExitFail = 1, kExitUsage = 2 };

// `plot`: the chart's x axis ends this long after the latest run's return.
inline constexpr double kPlotTail_s = 3;

int execute(const HelpCommand &c, std::ostream &out); // prints usageText()
int execute(const ListCommand &c, std::ostream &out);
// Throws UsageError/SetupError before starting QEMU if anything is missing.
int execute(const RunCommand &c, std::ostream &out);
int execute(const PlotCommand &c, std::ostream &out);
// Checks kernels, scenarios and QEMU before the first run (UsageError/SetupError).
int execute(const BenchCommand &c, std::ostream &out);
// Prints the accelerator --accel auto would choose, then why.
int execute(const AccelCommand &c, std::ostream &out);

} // namespace pr
