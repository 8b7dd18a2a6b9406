#pragma once
// Two small helpers nearly every integration test wants: a file's whole text (logs, exports, generated files) and
// "does this text contain that". Header-only so the stand-in programs of tests/standin/ can use it too.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace opsbot::testing {

/// The whole file, byte for byte; empty when it cannot be opened (a test then fails on what it expected to find).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace opsbot::testing
