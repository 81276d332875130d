#include "cpu_sampler.h"

#include <chrono>
#include <gtest/gtest.h>
#include <unistd.h>

namespace pr {
namespace {

TEST(CpuSamplerTest, ParsesUtimePlusStime) {
    // Fields: pid comm state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime(14) stime(15) cutime cstime ...
    const char *stat = "4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
                       "1234 567 8 9 20 0 5 0 100 2000000 3000\n";
    EXPECT_EQ(parseStatCpuTicks(stat), 1234 + 567);
}

TEST(CpuSamplerTest, CommandNameWithBlanksAndParentheses) {
    EXPECT_EQ(parseStatCpuTicks("7 (a b) (c)) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0"), 30);
}

TEST(CpuSamplerTest, Malformed) {
    EXPECT_EQ(parseStatCpuTicks(""), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 10"), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 1x 20"), std::nullopt);
    EXPECT_EQ(parseStatCpuTicks("no parenthesis 1 2 3"), std::nullopt);
}

TEST(CpuSamplerTest, SamplesThisProcess) {
    CpuSampler sampler(::getpid());
    auto before = sampler.sampleSeconds();
    ASSERT_TRUE(before);
    // Spin until 50 ms of CPU time show up (a busy host may give us less than wall time).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::optional<double> after;
    volatile unsigned long spin = 0;
    do {
        for (int i = 0; i < 1000000; ++i)
            spin = spin + 1;
        after = sampler.sampleSeconds();
        ASSERT_TRUE(after);
    } while (*after - *before < 0.05 && std::chrono::steady_clock::now() < deadline);
    EXPECT_GE(*after - *before, 0.05);
}

} // namespace
} // namespace pr
