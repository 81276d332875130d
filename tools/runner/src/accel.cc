#include "accel.h"

#include "error.h"
#include "raii.h"
#include "subprocess.h"
#include "text.h"

#include <cerrno>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace pr {

namespace {

// Empty if `device` opens read-write, else why not.
std::string deviceProblem(const std::filesystem::path &device) {
    int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errnoMessage("cannot open " + device.string() + " read-write", errno);
    ::close(fd);
    return "";
}

AccelChoice tcg(std::string reason) { return {"tcg", std::move(reason)}; }

std::string firstLine(const std::string &text) {
    auto nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl);
}

} // namespace

AccelRequest parseAccelRequest(const std::string &text) {
    if (text == "auto")
        return AccelRequest::Auto;
    if (text == "tcg")
        return AccelRequest::Tcg;
    if (text == "kvm")
        return AccelRequest::Kvm;
    throw UsageError("--accel needs tcg, kvm or auto, got '" + text + "'");
}

std::filesystem::path defaultProbeGuest() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path("fake-guest.elf") : exe.parent_path() / "fake-guest.elf";
}

AccelChoice probeKvm(const KvmProbe &probe) {
    if (auto problem = deviceProblem(probe.device); !problem.empty())
        return tcg("KVM not usable: " + problem);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(probe.guest, ec))
        return tcg("KVM not probed: no probe guest " + probe.guest.string() +
                   " (built with pr-runner as fake-guest.elf)");
    const std::string within = " within " + std::to_string(probe.timeout.count()) + " ms";
    try {
        TempDir dir("pr-runner-kvm-probe");
        const auto serial = dir.path() / "serial.log", log = dir.path() / "qemu.log";
        Subprocess qemu({{probe.qemu, "-accel", "kvm", "-machine", "pc", "-nodefaults",
                          "-no-user-config", "-m", "64", "-display", "none", "-no-reboot",
                          "-serial", "file:" + serial.string(), "-kernel", probe.guest.string()},
                         log});
        const auto deadline = std::chrono::steady_clock::now() + probe.timeout;
        // The guest prints its banner and markers, then resets, which ends QEMU under
        // -no-reboot: all of that has to work, not just the first instructions.
        for (;;) {
            const bool banner = slurp(serial).find(kProbeBanner) != std::string::npos;
            if (auto st = qemu.poll()) {
                if (st->success() && slurp(serial).find(kProbeBanner) != std::string::npos)
                    return {"kvm", "KVM: a probe guest ran to its end under -accel kvm"};
                if (st->success())
                    return tcg("KVM not usable: the probe guest ended without printing its "
                               "banner");
                std::string first = firstLine(slurp(log));
                return tcg("KVM not usable: QEMU -accel kvm exited with " + st->describe() +
                           (first.empty() ? "" : ": " + first));
            }
            const std::string text = slurp(log);
            if (auto at = text.find("KVM internal error"); at != std::string::npos)
                return tcg("KVM not usable: the probe guest stopped with \"" +
                           firstLine(text.substr(at)) + "\"");
            if (std::chrono::steady_clock::now() >= deadline)
                return tcg("KVM not usable: a probe guest under -accel kvm " +
                           std::string(banner ? "printed its banner but did not reach its reset"
                                              : "printed nothing") +
                           within);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    } catch (const SetupError &e) {
        return tcg(std::string("KVM not probed: ") + e.what());
    }
}

AccelChoice chooseAccel(AccelRequest request, const KvmProbe &probe) {
    switch (request) {
    case AccelRequest::Tcg:
        return tcg("--accel tcg");
    case AccelRequest::Kvm:
        if (auto problem = deviceProblem(probe.device); !problem.empty())
            throw SetupError("--accel kvm: " + problem + " (use --accel tcg or auto)");
        return {"kvm", "--accel kvm"};
    case AccelRequest::Auto:
        break;
    }
    return probeKvm(probe);
}

bool needsTcg(const Scenario &s) {
    for (const auto &arg : s.qemu.extra_args)
        if (arg == "-icount" || arg == "--icount")
            return true;
    return false;
}

AccelChoice accelFor(const Scenario &s, const AccelChoice &chosen) {
    return needsTcg(s) ? tcg("-icount needs TCG") : chosen;
}

} // namespace pr
