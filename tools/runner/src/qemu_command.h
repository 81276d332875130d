// Builds the QEMU command line for a scenario. Pure: no file system or process access.
#pragma once

#include "scenario.h"

#include <string>
#include <vector>

namespace pr {

struct QemuPaths {
    std::string qemu;   // binary, argv[0]
    std::string kernel; // bzImage
    std::string initrd;
    std::string console_socket; // unix socket the runner listens on; QEMU connects the serial
    std::string qmp_socket;     // QMP unix socket QEMU listens on
    // Test hook: no -kernel/-initrd/-append, and -S (CPU paused), so QEMU can be driven
    // without a guest.
    bool no_kernel = false;
    std::string accel = "tcg"; // -accel: "tcg" or "kvm" (accel.h chooses)
};

// "console=ttyS0 panic=-1 pr.scenario=<name> <guest.cmdline>"
std::string kernelCmdline(const Scenario &s);
// "virtio-balloon-pci,id=balloon0,free-page-reporting=on,page-poison=off,deflate-on-oom=off"
std::string balloonDevice(const QemuOptions &q);
std::vector<std::string> buildQemuArgv(const Scenario &s, const QemuPaths &paths);

} // namespace pr
