#pragma once

// Header-only helpers for the tests of file modes (issue 12 item 5), usable by unit and integration tests alike.

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

namespace opsbot::testing {

/// The permission bits of `path` (not following a symbolic link).
inline unsigned mode_of(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

/// A careless shell's umask while it lives: what a process creates is 0644 / 0755 unless it says otherwise.
class loose_umask {
public:
    loose_umask() : old_(::umask(022)) {}
    ~loose_umask() { ::umask(old_); }
    loose_umask(const loose_umask&) = delete;
    loose_umask& operator=(const loose_umask&) = delete;

private:
    mode_t old_;
};

/// What the default logger writes while it lives.
class captured_log {
public:
    captured_log() { spdlog::default_logger()->sinks().push_back(sink_); }
    ~captured_log() { spdlog::default_logger()->sinks().pop_back(); }
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;
    std::string text() {
        spdlog::default_logger()->flush();
        return out_.str();
    }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
};

}  // namespace opsbot::testing
