#include "bot/version.hpp"

#include "pq/libpq.hpp"

#include <boost/version.hpp>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <spdlog/version.h>
#include <sqlite3.h>

namespace opsbot::bot {
namespace {

/// The version loaded at run time, and the one compiled against when they differ (a library upgraded since).
std::string runtime_version(std::string_view loaded, std::string_view built_with) {
    if (loaded == built_with) {
        return std::string(loaded);
    }
    return fmt::format("{} (built with {})", loaded, built_with);
}

std::string libpq_version() {
    auto api = pq::libpq();
    if (!api) {
        return "not available: " + api.error().message;
    }
    // PQlibVersion: major * 10000 + minor since PostgreSQL 10 (150005 is 15.5).
    const int v = (*api)->lib_version();
    return fmt::format("{}.{}", v / 10000, v % 10000);
}

constexpr std::string_view compiler =
#if defined(__clang__)
    "clang " __clang_version__;
#elif defined(__GNUC__)
    "GCC " __VERSION__;
#else
    "unknown";
#endif

}  // namespace

std::string version_report(const build_info& build) {
    std::string out = fmt::format("opsbot {}\n", build.version);
    auto line = [&out](std::string_view name, std::string_view value) {
        out += fmt::format("  {:<11} {}\n", name, value);
    };
    line("commit", build.commit);
    line("build type", build.build_type);
    line("compiler", compiler);
    line("Boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100));
    line("OpenSSL", runtime_version(OpenSSL_version(OPENSSL_VERSION_STRING), OPENSSL_VERSION_STR));
    line("SQLite", runtime_version(sqlite3_libversion(), SQLITE_VERSION));
    line("libpq", libpq_version());
    line("spdlog", fmt::format("{}.{}.{}", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH));
    line("fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100));
    return out;
}

}  // namespace opsbot::bot
