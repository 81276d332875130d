// Exception types thrown at the edges and caught once in main().
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace pr {

// Bad command line: unknown option, missing argument, unknown scenario. Exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The environment is not usable: missing kernel, QEMU not found, unwritable output
// directory, invalid scenario file, QEMU failing to start. Exit code 2.
class SetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Formats "what: strerror(errno)" for system call failures.
inline std::string errnoMessage(const std::string &what, int err) {
    return what + ": " + std::strerror(err);
}

} // namespace pr
