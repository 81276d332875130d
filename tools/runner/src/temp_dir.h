// A private directory under $TMPDIR (or /tmp), removed with its contents on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace pr {

class TempDir {
public:
    explicit TempDir(const std::string &prefix = "pr-runner");
    ~TempDir();

    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace pr
