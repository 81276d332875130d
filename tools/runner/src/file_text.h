// A whole file as a string: the runner reads small text files (procfs, logs, results).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pr {

// The file's bytes; empty if it cannot be read.
inline std::string slurp(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace pr
