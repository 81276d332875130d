#include "host_info.h"

#include "subprocess.h"
#include "temp_dir.h"

#include <fstream>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

namespace pr {

namespace {

std::string_view trim(std::string_view s) {
    std::size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    std::size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// The value of the first "key<blanks>: value" line.
std::optional<std::string_view> field(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key)
            return trim(line.substr(colon + 1));
    }
    return std::nullopt;
}

std::string slurp(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

std::string parseCpuModel(std::string_view cpuinfo) {
    return std::string(field(cpuinfo, "model name").value_or(""));
}

std::optional<long> parseMemTotalKib(std::string_view meminfo) {
    auto v = field(meminfo, "MemTotal");
    if (!v)
        return std::nullopt;
    long kib = 0;
    std::size_t i = 0;
    for (; i < v->size() && (*v)[i] >= '0' && (*v)[i] <= '9'; ++i)
        kib = kib * 10 + ((*v)[i] - '0');
    if (i == 0 || trim(v->substr(i)) != "kB")
        return std::nullopt;
    return kib;
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
