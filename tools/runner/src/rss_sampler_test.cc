#include "rss_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace pr {
namespace {

TEST(RssSamplerTest, ParsesVmRss) {
    const char *status = "Name:\tqemu-system-x86\n"
                         "VmPeak:\t 2000000 kB\n"
                         "VmRSS:\t  786432 kB\n"
                         "RssAnon:\t  700000 kB\n";
    EXPECT_EQ(parseVmRssKib(status), 786432);
}

TEST(RssSamplerTest, LastLineWithoutNewline) { EXPECT_EQ(parseVmRssKib("VmRSS: 12 kB"), 12); }

TEST(RssSamplerTest, MissingOrMalformed) {
    EXPECT_EQ(parseVmRssKib("Name:\tkthreadd\nState:\tS\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("VmRSS:\t\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("VmRSS:\t12 MB\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib("XVmRSS:\t12 kB\n"), std::nullopt);
    EXPECT_EQ(parseVmRssKib(""), std::nullopt);
}

TEST(RssSamplerTest, ParsesAnonymousAndHugePages) {
    auto kib = parseAnonKib("Rss: 5 kB\nAnonymous:      204800 kB\nAnonHugePages:  102400 kB\n");
    ASSERT_TRUE(kib);
    EXPECT_EQ(kib->first, 204800);
    EXPECT_EQ(kib->second, 102400);
    EXPECT_FALSE(parseAnonKib("Anonymous: 12 kB\n"));
}

TEST(RssSamplerTest, SamplesThisProcessHugePages) {
    ThpSampler thp(getpid());
    auto mib = thp.sampleMib();
    ASSERT_TRUE(mib);
    EXPECT_GT(mib->first, 0);
    EXPECT_GE(mib->first, mib->second);
}

TEST(RssSamplerTest, SamplesThisProcess) {
    RssSampler sampler(::getpid());
    auto mib = sampler.sampleMib();
    ASSERT_TRUE(mib);
    EXPECT_GT(*mib, 0.1);
    EXPECT_LT(*mib, 4096.0);
}

} // namespace
} // namespace pr
