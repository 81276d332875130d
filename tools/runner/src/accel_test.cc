#include "accel.h"

#include "error.h"
#include "raii.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace pr {
namespace {

using namespace std::chrono_literals;

// A stand-in for QEMU: a shell script running `body` with "$serial" set to the path of its
// -serial file:PATH argument.
std::string fakeQemu(const TempDir &dir, const std::string &body) {
    auto path = dir.path() / "fake-qemu";
    std::ofstream(path) << "#!/bin/sh\nfor a; do case $a in file:*) serial=${a#file:};; esac; "
                           "done\n"
                        << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path.string();
}

KvmProbe probe(const TempDir &dir, const std::string &body) {
    KvmProbe p;
    p.qemu = fakeQemu(dir, body);
    p.guest = dir.path() / "guest.elf";
    p.device = dir.path() / "kvm"; // a file that opens read-write
    std::ofstream(p.guest) << "elf";
    std::ofstream(p.device) << "";
    p.timeout = 300ms;
    return p;
}

TEST(AccelTest, ParseRequest) {
    EXPECT_EQ(parseAccelRequest("auto"), AccelRequest::Auto);
    EXPECT_EQ(parseAccelRequest("tcg"), AccelRequest::Tcg);
    EXPECT_EQ(parseAccelRequest("kvm"), AccelRequest::Kvm);
    EXPECT_THROW(parseAccelRequest("hvf"), UsageError);
}

TEST(AccelTest, ProbeNeedsTheGuestToRunToItsEnd) {
    TempDir dir;
    auto c = probeKvm(probe(dir, "echo 'fake guest: hello' > \"$serial\"; exit 0"));
    EXPECT_EQ(c.accel, "kvm") << c.reason;
    EXPECT_EQ(c.reason, "KVM: a probe guest ran to its end under -accel kvm");
}

TEST(AccelTest, ProbeTimesOutWhenTheGuestHangs) {
    TempDir dir;
    auto start = std::chrono::steady_clock::now();
    auto c = probeKvm(probe(dir, "sleep 10"));
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_EQ(c.reason, "KVM not usable: a probe guest under -accel kvm printed nothing within "
                        "300 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s); // the hung QEMU was killed

    c = probeKvm(probe(dir, "echo 'fake guest: hello' > \"$serial\"; sleep 10"));
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_EQ(c.reason, "KVM not usable: a probe guest under -accel kvm printed its banner but "
                        "did not reach its reset within 300 ms");
}

TEST(AccelTest, ProbeStopsAtAKvmInternalError) {
    TempDir dir;
    KvmProbe p = probe(dir, "echo 'fake guest: hello' > \"$serial\"; echo 'KVM internal error. "
                            "Suberror: 1' >&2; sleep 10");
    p.timeout = 5s;
    auto start = std::chrono::steady_clock::now();
    auto c = probeKvm(p);
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_EQ(c.reason,
              "KVM not usable: the probe guest stopped with \"KVM internal error. Suberror: 1\"");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s); // not the whole timeout
}

TEST(AccelTest, ProbeReportsQemuFailing) {
    TempDir dir;
    auto c = probeKvm(probe(dir, "echo 'failed to initialize kvm: No such device' >&2; exit 1"));
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_EQ(c.reason, "KVM not usable: QEMU -accel kvm exited with exit code 1: failed to "
                        "initialize kvm: No such device");
    c = probeKvm(probe(dir, "echo 'fake guest: hello' > \"$serial\"; exit 1"));
    EXPECT_EQ(c.accel, "tcg"); // the banner alone is not enough: QEMU has to end cleanly
    EXPECT_EQ(c.reason, "KVM not usable: QEMU -accel kvm exited with exit code 1");
    c = probeKvm(probe(dir, "exit 0"));
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_EQ(c.reason, "KVM not usable: the probe guest ended without printing its banner");
}

TEST(AccelTest, NoDeviceOrNoGuestMeansTcg) {
    TempDir dir;
    KvmProbe p = probe(dir, "echo 'fake guest: hello' > \"$serial\"");
    p.device = dir.path() / "no-kvm";
    auto c = probeKvm(p);
    EXPECT_EQ(c.accel, "tcg");
    EXPECT_NE(c.reason.find("cannot open " + p.device.string() + " read-write"), std::string::npos)
        << c.reason;
    EXPECT_THROW(chooseAccel(AccelRequest::Kvm, p), SetupError);

    p = probe(dir, "echo 'fake guest: hello' > \"$serial\"");
    p.guest = dir.path() / "missing.elf";
    EXPECT_EQ(probeKvm(p).accel, "tcg");
    EXPECT_NE(probeKvm(p).reason.find("no probe guest"), std::string::npos);
}

TEST(AccelTest, ChooseAndPerScenario) {
    TempDir dir;
    KvmProbe p = probe(dir, "exit 1"); // would fail if it ran
    EXPECT_EQ(chooseAccel(AccelRequest::Tcg, p).accel, "tcg");
    EXPECT_EQ(chooseAccel(AccelRequest::Kvm, p).accel, "kvm"); // asked for: not probed
    EXPECT_EQ(chooseAccel(AccelRequest::Auto, p).accel, "tcg");

    Scenario s;
    AccelChoice kvm{"kvm", "probe"};
    EXPECT_FALSE(needsTcg(s));
    EXPECT_EQ(accelFor(s, kvm).accel, "kvm");
    s.qemu.extra_args = {"-icount", "shift=auto"};
    EXPECT_TRUE(needsTcg(s));
    EXPECT_EQ(accelFor(s, kvm).accel, "tcg");
    EXPECT_EQ(accelFor(s, kvm).reason, "-icount needs TCG");
}

} // namespace
} // namespace pr
