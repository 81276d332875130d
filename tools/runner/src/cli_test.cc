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
    EXPECT_EQ(c.accel, AccelRequest::Auto);
    EXPECT_FALSE(c.no_kernel);
    c = std::get<RunCommand>(
        parse({"run", "--scenario", "x", "--kernel", "k", "--initrd", "i", "--accel", "tcg"}));
    EXPECT_EQ(c.accel, AccelRequest::Tcg);
    c = std::get<RunCommand>(
        parse({"run", "--scenario", "x", "--kernel", "k", "--initrd", "i", "--accel=kvm"}));
    EXPECT_EQ(c.accel, AccelRequest::Kvm);
}

TEST(CliTest, ListAndHelpAndPlot) {
    EXPECT_EQ(std::get<ListCommand>(parse({"list", "--scenarios", "d"})).scenarios_dir, "d");
    EXPECT_TRUE(std::holds_alternative<HelpCommand>(parse({"--help"})));
    auto p = std::get<PlotCommand>(parse({"plot", "--out", "x.png", "a", "b"}));
    EXPECT_EQ(p.result_dirs, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.align, "");
    EXPECT_FALSE(p.summary);
    p = std::get<PlotCommand>(
        parse({"plot", "--out", "x.png", "--align", "freed", "--summary", "a", "b"}));
    EXPECT_EQ(p.align, "freed");
    EXPECT_TRUE(p.summary);
    EXPECT_EQ(p.result_dirs, (std::vector<std::string>{"a", "b"}));

    auto l = std::get<ListCommand>(parse({"list", "--tag", "check"}));
    EXPECT_EQ(l.tag, "check");
    EXPECT_FALSE(l.markdown);
    EXPECT_TRUE(std::get<ListCommand>(parse({"list", "--markdown"})).markdown);
}

TEST(CliTest, Bench) {
    auto c = std::get<BenchCommand>(parse({"bench", "--kernels", "base=/b/bz:/b/i,ours=/o/bz:/o/i",
                                           "--scenarios", "a,b", "--repeat", "5", "--out=o"}));
    ASSERT_EQ(c.kernels.size(), 2u);
    EXPECT_EQ(c.kernels[0].label, "base");
    EXPECT_EQ(c.kernels[0].kernel, "/b/bz");
    EXPECT_EQ(c.kernels[0].initrd, "/b/i");
    EXPECT_EQ(c.kernels[1].label, "ours");
    EXPECT_EQ(c.scenarios, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.repeat, 5);
    EXPECT_EQ(c.out_dir, "o");
    EXPECT_EQ(c.scenarios_dir, "tools/scenarios");
    EXPECT_FALSE(c.quick);
    EXPECT_EQ(c.accel, AccelRequest::Auto);
    c = std::get<BenchCommand>(parse({"bench", "--kernels", "a=k:i,b=k:i", "--accel", "tcg"}));
    EXPECT_EQ(c.accel, AccelRequest::Tcg);

    c = std::get<BenchCommand>(parse({"bench", "--kernels", "a=k:i,b=k:i"}));
    EXPECT_EQ(c.repeat, 3);
    EXPECT_TRUE(c.scenarios.empty()); // every "bench" scenario
    EXPECT_EQ(c.out_dir, "build/bench");

    c = std::get<BenchCommand>(parse({"bench", "--kernels", "a=k:i,b=k:i", "--quick"}));
    EXPECT_EQ(c.repeat, 1);
    EXPECT_EQ(c.scenarios, std::vector<std::string>{"bench-drain-1g"});
    c = std::get<BenchCommand>(
        parse({"bench", "--kernels", "a=k:i,b=k:i", "--quick", "--scenarios", "x"}));
    EXPECT_EQ(c.scenarios, std::vector<std::string>{"x"});
}

TEST(CliTest, Accel) {
    EXPECT_EQ(std::get<AccelCommand>(parse({"accel"})).qemu, "qemu-system-x86_64");
    EXPECT_EQ(std::get<AccelCommand>(parse({"accel", "--qemu", "/q"})).qemu, "/q");
    expectUsage({"accel", "--kernel", "k"}, "--kernel");
}

TEST(CliTest, BenchErrors) {
    expectUsage({"bench"}, "needs exactly two kernels");
    expectUsage({"bench", "--kernels", "a=k:i"}, "needs exactly two kernels");
    expectUsage({"bench", "--kernels", "a=k:i,a=k:i"}, "label 'a' given twice");
    expectUsage({"bench", "--kernels", "a=k,b=k:i"}, "expected LABEL=BZIMAGE:INITRD, got 'a=k'");
    expectUsage({"bench", "--kernels", "=k:i,b=k:i"}, "expected LABEL=BZIMAGE:INITRD");
    expectUsage({"bench", "--kernels", "a=k:,b=k:i"}, "expected LABEL=BZIMAGE:INITRD");
    expectUsage({"bench", "--kernels", "A B=k:i,b=k:i"}, "must be [a-z0-9_.-]");
    expectUsage({"bench", "--kernels", "a=k:i,b=k:i", "--repeat", "0"}, "--repeat needs");
    expectUsage({"bench", "--kernels", "a=k:i,b=k:i", "--repeat", "2x"}, "--repeat needs");
    expectUsage({"bench", "--kernels", "a=k:i,b=k:i", "--scenarios", "a,,b"}, "empty name");
    expectUsage({"bench", "--kernels", "a=k:i,b=k:i", "--quick", "--repeat", "2"}, "drop --repeat");
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
    expectUsage({"plot", "--out", "x.png", "--align", "", "a"}, "--align needs a marker");
    expectUsage({"list", "--tag", "check@base"}, "--tag needs a suite name");
    expectUsage({"list", "--tag", "check", "--markdown"}, "do not go together");
    expectUsage({"run", "--scenario", "x", "--kernel", "k", "--initrd", "i", "--accel", "hvf"},
                "--accel needs tcg, kvm or auto, got 'hvf'");
    expectUsage({"bench", "--kernels", "a=k:i,b=k:i", "--accel", "x"}, "--accel needs");
}

} // namespace
} // namespace pr
