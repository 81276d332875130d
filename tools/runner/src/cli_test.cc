#include "cli.h"
#include "error.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

Command parse(std::vector<std::string> args) { return parseCommandLine(args); }

void expectUsage(std::vector<std::string> args, const std::string &fragment) {
    try {
        parse(args);
        ADD_FAILURE() << "accepted";
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(CliTest, Run) {
    auto c = std::get<RunCommand>(
        parse({"run", "--scenario", "drain-1g", "--kernel=/k", "--initrd", "/i", "--out", "o",
               "--label", "ours", "--quiet", "--timeout-scale", "2.5", "--qemu", "/q"}));
    EXPECT_EQ(c.scenario, "drain-1g");
    EXPECT_EQ(c.kernel, "/k");
    EXPECT_EQ(c.initrd, "/i");
    EXPECT_EQ(c.out_dir, "o");
    EXPECT_EQ(c.label, "ours");
    EXPECT_TRUE(c.quiet);
    EXPECT_DOUBLE_EQ(c.timeout_scale, 2.5);
    EXPECT_EQ(c.qemu, "/q");
    EXPECT_EQ(c.scenarios_dir, "tools/scenarios");
    EXPECT_FALSE(c.no_kernel);
}

TEST(CliTest, ListAndHelpAndPlot) {
    EXPECT_EQ(std::get<ListCommand>(parse({"list", "--scenarios", "d"})).scenarios_dir, "d");
    EXPECT_TRUE(std::holds_alternative<HelpCommand>(parse({"--help"})));
    auto p = std::get<PlotCommand>(parse({"plot", "--out", "x.png", "a", "b"}));
    EXPECT_EQ(p.result_dirs, (std::vector<std::string>{"a", "b"}));
}

TEST(CliTest, Errors) {
    expectUsage({}, "no command");
    expectUsage({"frobnicate"}, "unknown command 'frobnicate'");
    expectUsage({"run", "--scenario", "x", "--kernel", "k", "--initrd", "i", "--bogus"},
                "unknown option '--bogus' for 'run'");
    expectUsage({"run", "--kernel", "k", "--initrd", "i"}, "--scenario NAME is required");
    expectUsage({"run", "--scenario", "x", "--initrd", "i"}, "--kernel BZIMAGE is required");
    expectUsage({"run", "--scenario", "x", "--kernel", "k"}, "--initrd INITRD is required");
    expectUsage({"run", "--scenario"}, "--scenario needs a value");
    expectUsage(
        {"run", "--scenario", "x", "--kernel", "k", "--initrd", "i", "--timeout-scale", "0"},
        "--timeout-scale needs a positive number");
    expectUsage({"run", "--quiet=yes"}, "takes no value");
    expectUsage({"list", "extra"}, "takes no argument 'extra'");
    expectUsage({"plot", "a"}, "--out FILE.png is required");
}

} // namespace
} // namespace pr
