// Catches SIGINT, SIGTERM and SIGHUP for the lifetime of the object so the run loop can
// stop QEMU and write its results; restores the previous handlers afterwards. Guards nest
// (a bench holds one around its runs): an inner guard keeps a signal caught before it.
#pragma once

#include <csignal>

namespace pr {

class SignalGuard {
public:
    SignalGuard();
    ~SignalGuard();

    SignalGuard(const SignalGuard &) = delete;
    SignalGuard &operator=(const SignalGuard &) = delete;

    // The first signal caught, or 0.
    static int caught();
    // Restores the default action and re-sends the caught signal to this process, so the
    // caller (e.g. a shell loop) sees that we were interrupted. Returns if none was caught.
    static void reraise();

private:
    struct sigaction old_int_, old_term_, old_hup_;
};

} // namespace pr
