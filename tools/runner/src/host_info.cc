#include "host_info.h"
#include "file_text.h"
#include "proc_text.h"

#include "subprocess.h"
#include "temp_dir.h"

#include <fstream>
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
    std::string out;
    std::size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
        std::size_t b = loadavg.find_first_not_of(" \n", pos);
        if (b == std::string_view::npos)
            return "";
        std::size_t e = loadavg.find_first_of(" \n", b);
        if (e == std::string_view::npos)
            e = loadavg.size();
        out += (out.empty() ? "" : " ") + std::string(loadavg.substr(b, e - b));
        pos = e;
    }
    return out;
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
        Subprocess p({{qemu, "--version"}, "/dev/null", dir.path() / "out"});
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
