// Which QEMU accelerator the runs use: "kvm" only when /dev/kvm opens read-write and a probe
// guest actually runs under it (nested KVM can open fine and then hang), else "tcg".
// Scenarios whose QEMU options need TCG (-icount) always get it.
#pragma once

#include "scenario.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace pr {

enum class AccelRequest { Auto, Tcg, Kvm };

// "auto", "tcg" or "kvm"; throws UsageError otherwise.
AccelRequest parseAccelRequest(const std::string &text);

struct AccelChoice {
    std::string accel;  // "tcg" or "kvm": the -accel value
    std::string reason; // why, for result.json and the bench's method
};

// The banner tests/fake_guest.s prints first on its serial port.
inline constexpr const char *kProbeBanner = "fake guest: hello";

// The probe guest shipped with pr-runner: fake-guest.elf beside the running executable.
std::filesystem::path defaultProbeGuest();

struct KvmProbe {
    std::string qemu;                                  // resolved QEMU binary
    std::filesystem::path guest = defaultProbeGuest(); // a multiboot image printing kProbeBanner
    std::filesystem::path device = "/dev/kvm";         // must open read-write
    std::chrono::milliseconds timeout{5000};           // for the banner
};

// Whether QEMU's KVM works here: the device opens read-write, and QEMU with -accel kvm runs
// the probe guest to its end within the timeout: it prints its banner, then resets, which
// ends QEMU (-no-reboot) with exit code 0. (Nested KVM may open fine, then hang or stop on
// a "KVM internal error".) Never throws: a failure is the TCG choice with the reason.
AccelChoice probeKvm(const KvmProbe &probe);

// The accelerator for the runs of one command. Tcg: tcg. Kvm: kvm, without the probe; throws
// SetupError if the device cannot be opened. Auto: probeKvm.
AccelChoice chooseAccel(AccelRequest request, const KvmProbe &probe);

// Whether a scenario's QEMU options need TCG (-icount: instruction counting).
bool needsTcg(const Scenario &s);
// The accelerator one scenario runs with: tcg if it needs it, else `chosen`.
AccelChoice accelFor(const Scenario &s, const AccelChoice &chosen);

} // namespace pr
