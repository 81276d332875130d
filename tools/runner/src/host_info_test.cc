#include "host_info.h"
#include "subprocess.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

TEST(HostInfoTest, CpuModel) {
    const char *cpuinfo = "processor\t: 0\n"
                          "vendor_id\t: GenuineIntel\n"
                          "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
                          "processor\t: 1\n"
                          "model name\t: other\n";
    EXPECT_EQ(parseCpuModel(cpuinfo), "Intel(R) Xeon(R) CPU @ 2.20GHz");
    EXPECT_EQ(parseCpuModel("processor\t: 0\n"), "");
}

TEST(HostInfoTest, MemTotal) {
    EXPECT_EQ(parseMemTotalKib("MemTotal:       24684032 kB\nMemFree: 1 kB\n"), 24684032);
    EXPECT_EQ(parseMemTotalKib("MemFree: 1 kB\n"), std::nullopt);
    EXPECT_EQ(parseMemTotalKib("MemTotal: 12 MB\n"), std::nullopt);
}

TEST(HostInfoTest, LoadAverage) {
    EXPECT_EQ(parseLoadAverage("2.37 2.36 2.60 3/412 9406\n"), "2.37 2.36 2.60");
    EXPECT_EQ(parseLoadAverage("1.0 2.0"), "");
    EXPECT_NE(loadAverage(), "");
}

TEST(HostInfoTest, CollectsThisMachine) {
    HostInfo h = collectHostInfo("no-such-qemu-binary");
    EXPECT_GE(h.nproc, 1);
    EXPECT_GT(h.ram_gib, 0.1);
    EXPECT_EQ(h.host_kernel.rfind("Linux ", 0), 0u);
    EXPECT_EQ(h.qemu_version, "");
}

} // namespace
} // namespace pr
