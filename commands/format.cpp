#include "commands/format.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace opsbot::commands {
namespace {

std::string age_between(clock::time_point then, clock::time_point now) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
    if (seconds < 0) {
        return "just now";
    }
    if (seconds < 90) {
        return fmt::format("{} s ago", seconds);
    }
    if (seconds < 3600) {
        return fmt::format("{} min ago", seconds / 60);
    }
    if (seconds < 36 * 3600) {
        return fmt::format("{} h ago", seconds / 3600);
    }
    return fmt::format("{} days ago", seconds / 86400);
}

}  // namespace

std::string short_sha(std::string_view sha) {
    if (sha.empty()) {
        return "no commit";
    }
    return std::string(sha.substr(0, 7));
}

std::string age_of_ms(std::int64_t unix_ms, const clock& clk) {
    return age_between(clock::time_point{std::chrono::milliseconds{unix_ms}}, clk.now());
}

std::string age_of_iso(std::string_view iso, const clock& clk) {
    std::tm tm{};
    std::string text(iso.substr(0, 19));
    if (text.size() != 19 || strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
        return "unknown age";
    }
    auto then = clock::time_point{std::chrono::seconds{timegm(&tm)}};
    return age_between(then, clk.now());
}

std::string iso8601(clock::time_point t) {
    auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
    std::time_t tt = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace opsbot::commands
