#include "temp_dir.h"

#include "error.h"

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace pr {

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

} // namespace pr
