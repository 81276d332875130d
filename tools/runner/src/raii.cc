#include "raii.h"

#include "error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

namespace pr {

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0 && fd_ != fd)
        ::close(fd_);
    fd_ = fd;
}

TempDir::TempDir(const std::string &prefix) {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
        throw SetupError(errnoMessage("cannot create a temporary directory " + pattern, errno));
    path_ = buf.data();
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

namespace {

volatile std::sig_atomic_t g_caught = 0;
int g_depth = 0; // guards alive; only the outermost one starts from "nothing caught"

extern "C" void onSignal(int sig) {
    if (g_caught == 0)
        g_caught = sig;
}

void install(int sig, struct sigaction *old) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: sleeping and blocking calls return early
    sigaction(sig, &sa, old);
}

} // namespace

SignalGuard::SignalGuard() {
    if (g_depth++ == 0)
        g_caught = 0;
    install(SIGINT, &old_int_);
    install(SIGTERM, &old_term_);
    install(SIGHUP, &old_hup_);
}

SignalGuard::~SignalGuard() {
    --g_depth;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGHUP, &old_hup_, nullptr);
}

int SignalGuard::caught() { return g_caught; }

void SignalGuard::reraise() {
    int sig = g_caught;
    if (sig == 0)
        return;
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace pr
