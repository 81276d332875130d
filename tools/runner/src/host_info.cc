#include "host_info.h"

#include "proc_file.h"
#include "raii.h"
#include "subprocess.h"
#include "text.h"

#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

namespace pr {

std::string parseCpuModel(std::string_view cpuinfo) {
    return std::string(procField(cpuinfo, "model name").value_or(""));
}

std::optional<long> parseMemTotalKib(std::string_view meminfo) {
    return procKib(meminfo, "MemTotal");
}

std::string parseLoadAverage(std::string_view loadavg) {
    std::istringstream in{std::string(loadavg)};
    std::string one, five, fifteen;
    return in >> one >> five >> fifteen ? one + " " + five + " " + fifteen : "";
}

std::string loadAverage() { return parseLoadAverage(slurp("/proc/loadavg")); }

HostInfo collectHostInfo(const std::string &qemu) {
    HostInfo h;
    h.nproc = ::sysconf(_SC_NPROCESSORS_ONLN);
    h.cpu_model = parseCpuModel(slurp("/proc/cpuinfo"));
    if (auto kib = parseMemTotalKib(slurp("/proc/meminfo")))
        h.ram_gib = static_cast<double>(*kib) / (1024.0 * 1024.0);
    struct utsname u;
    if (::uname(&u) == 0)
        h.host_kernel = std::string(u.sysname) + " " + u.release;
    try {
        TempDir dir("pr-runner-qemu-version");
        Subprocess p({{qemu, "--version"}, dir.path() / "out"});
        if (auto st = p.wait(std::chrono::seconds(10)); st && st->success()) {
            std::string out = slurp((dir.path() / "out").string());
            h.qemu_version = std::string(trim(out.substr(0, out.find('\n'))));
        }
    } catch (const std::exception &) {
        // Left empty: the report says "unknown".
    }
    return h;
}

} // namespace pr
