// pr-runner: boots a test kernel under QEMU and checks a scenario's assertions.
// Every error is caught here once and mapped to an exit code (see app.h).
#include "app.h"
#include "cli.h"
#include "error.h"
#include "overloaded.h"

#include <csignal>
#include <iostream>
#include <variant>

int main(int argc, char **argv) {
    std::signal(SIGPIPE, SIG_IGN); // a closed socket or pipe is an error, not a death
    try {
        pr::Command command = pr::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
        return std::visit(
            pr::Overloaded{
                [](const pr::HelpCommand &) {
                    std::cout << pr::usageText();
                    return int(pr::kExitPass);
                },
                [](const pr::ListCommand &c) { return pr::listCommand(c, std::cout); },
                [](const pr::RunCommand &c) { return pr::runCommand(c, std::cout); },
                [](const pr::PlotCommand &c) { return pr::plotCommand(c, std::cout); },
                [](const pr::BenchCommand &c) { return pr::benchCommand(c, std::cout); },
                [](const pr::AccelCommand &c) { return pr::accelCommand(c, std::cout); },
            },
            command);
    } catch (const pr::UsageError &e) {
        std::cerr << "pr-runner: " << e.what() << "\n";
        return pr::kExitUsage;
    } catch (const std::exception &e) {
        std::cerr << "pr-runner: error: " << e.what() << "\n";
        return pr::kExitUsage;
    } catch (...) {
        std::cerr << "pr-runner: error: unknown exception\n";
        return pr::kExitUsage;
    }
}
