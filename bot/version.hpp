#pragma once

#include <string>
#include <string_view>

namespace opsbot::bot {

/// What was built. The values come from a file CMake generates at configure time (bot/build_info.cpp.in) and
/// compiles into the `opsbot` executable only, so a new commit recompiles that one file and relinks opsbot alone.
struct build_info {
    std::string_view version;     ///< the CMake project version, which is also the package's
    std::string_view commit;      ///< `git rev-parse --short=12 HEAD` of the sources, "unknown" outside a git checkout
    std::string_view build_type;  ///< CMAKE_BUILD_TYPE: Debug, Release, …
};

/// This executable's build (defined in the generated build_info.cpp).
build_info this_build();

/// What `opsbot version` prints: `opsbot VERSION`, then one `  name  value` line each for the commit, the build
/// type, the compiler and the libraries. OpenSSL, SQLite and libpq give the version of the library loaded at run
/// time (and the headers' version where it differs); libpq is loaded here if nothing loaded it yet (it is opened
/// lazily: pq/libpq.hpp), or reported missing with the reason. Boost, spdlog and fmt: the headers' version.
std::string version_report(const build_info& build);

}  // namespace opsbot::bot
