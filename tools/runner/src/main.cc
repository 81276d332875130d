// pr-runner: boots a test kernel under QEMU and checks a scenario's assertions.
// Every error is caught here once and mapped to an exit code (see app.h).
#include "app.h"
#include "cli.h"
#include "error.h"

#include <csignal>
#include <iostream>
#include <variant>

int main(int argc, char **argv) {
    std::signal(SIGPIPE, SIG_IGN); // a closed socket or pipe is an error, not a death
    try {
        pr::Command command = pr::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
        return std::visit([](const auto &c) { return pr::execute(c, std::cout); }, command);
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
