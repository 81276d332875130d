#include "run_record.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

TEST(MarkerTest, ParsesEventWordsAndArgs) {
    auto m = parseMarker("@@PR result fail reason=oom code=3");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->event, "result");
    EXPECT_EQ(m->words, std::vector<std::string>{"fail"});
    EXPECT_EQ(m->arg("reason"), "oom");
    EXPECT_EQ(m->arg("code"), "3");
    EXPECT_EQ(m->arg("missing"), std::nullopt);
    EXPECT_EQ(m->text, "result fail reason=oom code=3");
}

TEST(MarkerTest, BareEvent) {
    auto m = parseMarker("@@PR boot");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->event, "boot");
    EXPECT_TRUE(m->words.empty());
    EXPECT_TRUE(m->args.empty());
}

TEST(MarkerTest, FoundAfterInterleavedKernelText) {
    auto m = parseMarker("[    3.141593] virtio_balloon: @@PR touched mib=768\r");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->event, "touched");
    EXPECT_EQ(m->arg("mib"), "768");
    EXPECT_EQ(m->text, "touched mib=768");
}

TEST(MarkerTest, QuotedValueKeepsBlanks) {
    auto m = parseMarker("@@PR result fail reason=\"balloon not bound\" x=1");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->arg("reason"), "balloon not bound");
    EXPECT_EQ(m->arg("x"), "1");
}

TEST(MarkerTest, TokensThatAreNotKeyValueAreWords) {
    auto m = parseMarker("@@PR note =x a=b=c ok");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->words, (std::vector<std::string>{"=x", "ok"}));
    EXPECT_EQ(m->arg("a"), "b=c");
}

TEST(MarkerTest, RejectsLinesWithoutMarker) {
    EXPECT_FALSE(parseMarker("Linux version 6.12"));
    EXPECT_FALSE(parseMarker("@@PR"));
    EXPECT_FALSE(parseMarker("@@PR    "));
    EXPECT_FALSE(parseMarker("@@PRboot"));
}

} // namespace
} // namespace pr
