#include "qemu_command.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

Scenario scenario() {
    Scenario s;
    s.name = "drain-1g";
    s.memory_mib = 1024;
    s.smp = 2;
    s.guest_cmdline = "pr.run=drain pr.mib=768";
    s.qemu.free_page_reporting = true;
    return s;
}

QemuPaths paths() {
    return {"/usr/bin/qemu-system-x86_64",
            "/k/bzImage",
            "/k/initrd",
            "/out/console.sock",
            "/out/qmp.sock",
            false,
            "tcg"};
}

TEST(QemuCommandTest, FullArgv) {
    std::vector<std::string> expected = {
        "/usr/bin/qemu-system-x86_64",
        "-nodefaults",
        "-no-user-config",
        "-machine",
        "pc",
        "-accel",
        "tcg",
        "-m",
        "1024",
        "-smp",
        "2",
        "-display",
        "none",
        "-no-reboot",
        "-kernel",
        "/k/bzImage",
        "-initrd",
        "/k/initrd",
        "-append",
        "console=ttyS0 panic=-1 pr.scenario=drain-1g pr.run=drain pr.mib=768",
        "-chardev",
        "socket,id=ser0,path=/out/console.sock",
        "-serial",
        "chardev:ser0",
        "-qmp",
        "unix:/out/qmp.sock,server=on,wait=off",
        "-device",
        "virtio-balloon-pci,id=balloon0,free-page-reporting=on,page-poison=off,deflate-on-oom=off"};
    EXPECT_EQ(buildQemuArgv(scenario(), paths()), expected);
}

TEST(QemuCommandTest, PagePoisonAlwaysExplicit) {
    QemuOptions q;
    q.page_poison = true;
    q.deflate_on_oom = true;
    EXPECT_EQ(
        balloonDevice(q),
        "virtio-balloon-pci,id=balloon0,free-page-reporting=off,page-poison=on,deflate-on-oom=on");
}

TEST(QemuCommandTest, NoBalloonAndExtraArgs) {
    Scenario s = scenario();
    s.qemu.balloon = false;
    s.qemu.extra_args = {"-cpu", "max"};
    auto argv = buildQemuArgv(s, paths());
    for (const auto &a : argv)
        EXPECT_EQ(a.find("virtio-balloon"), std::string::npos);
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[argv.size() - 2], "-cpu");
    EXPECT_EQ(argv.back(), "max");
}

TEST(QemuCommandTest, EmptyGuestCmdline) {
    Scenario s = scenario();
    s.guest_cmdline.clear();
    EXPECT_EQ(kernelCmdline(s), "console=ttyS0 panic=-1 pr.scenario=drain-1g");
}

TEST(QemuCommandTest, Accelerator) {
    QemuPaths p = paths();
    p.accel = "kvm";
    auto argv = buildQemuArgv(scenario(), p);
    auto it = std::find(argv.begin(), argv.end(), "-accel");
    ASSERT_NE(it, argv.end());
    EXPECT_EQ(*(it + 1), "kvm");
}

TEST(QemuCommandTest, NoKernelHookPausesCpu) {
    QemuPaths p = paths();
    p.no_kernel = true;
    auto argv = buildQemuArgv(scenario(), p);
    EXPECT_NE(std::find(argv.begin(), argv.end(), "-S"), argv.end());
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "-kernel"), argv.end());
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "-append"), argv.end());
}

TEST(QemuCommandTest, CommasInPathsAreEscaped) {
    QemuPaths p = paths();
    p.console_socket = "/a,b/console.sock";
    p.qmp_socket = "/a,b/qmp.sock";
    auto argv = buildQemuArgv(scenario(), p);
    EXPECT_NE(std::find(argv.begin(), argv.end(), "socket,id=ser0,path=/a,,b/console.sock"),
              argv.end());
    EXPECT_NE(std::find(argv.begin(), argv.end(), "unix:/a,,b/qmp.sock,server=on,wait=off"),
              argv.end());
}

} // namespace
} // namespace pr
