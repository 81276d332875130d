#include "qemu_command.h"

namespace pr {

namespace {
const char *onOff(bool b) { return b ? "on" : "off"; }

// QEMU option values use ',' as a separator; a literal comma is written ",,".
std::string optionValue(const std::string &v) {
    std::string out;
    for (char c : v) {
        out += c;
        if (c == ',')
            out += ',';
    }
    return out;
}
} // namespace

std::string kernelCmdline(const Scenario &s) {
    std::string cmdline = "console=ttyS0 panic=-1 pr.scenario=" + s.name;
    if (!s.guest_cmdline.empty())
        cmdline += " " + s.guest_cmdline;
    return cmdline;
}

std::string balloonDevice(const QemuOptions &q) {
    return std::string("virtio-balloon-pci,id=balloon0") +
           ",free-page-reporting=" + onOff(q.free_page_reporting) +
           ",page-poison=" + onOff(q.page_poison) + ",deflate-on-oom=" + onOff(q.deflate_on_oom);
}

std::vector<std::string> buildQemuArgv(const Scenario &s, const QemuPaths &p) {
    std::vector<std::string> argv = {
        p.qemu,
        "-nodefaults",
        "-no-user-config",
        "-machine",
        "pc",
        "-accel",
        p.accel,
        "-m",
        std::to_string(s.memory_mib),
        "-smp",
        std::to_string(s.smp),
        "-display",
        "none",
        "-no-reboot",
    };
    if (p.no_kernel) {
        argv.push_back("-S");
    } else {
        argv.insert(argv.end(),
                    {"-kernel", p.kernel, "-initrd", p.initrd, "-append", kernelCmdline(s)});
    }
    // The serial console goes to a socket the runner listens on: QEMU connects while it
    // starts, before the guest runs, and the runner reads each line as it comes.
    argv.insert(argv.end(), {"-chardev", "socket,id=ser0,path=" + optionValue(p.console_socket),
                             "-serial", "chardev:ser0", "-qmp",
                             "unix:" + optionValue(p.qmp_socket) + ",server=on,wait=off"});
    if (s.qemu.balloon)
        argv.insert(argv.end(), {"-device", balloonDevice(s.qemu)});
    argv.insert(argv.end(), s.qemu.extra_args.begin(), s.qemu.extra_args.end());
    return argv;
}

} // namespace pr
