#include "commands/grammar/format.hpp"

#include "adapters/sentry.hpp"

#include <fmt/format.h>

#include <chrono>

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
    auto then = adapters::parse_utc_iso8601(iso);
    return then ? age_between(*then, clk.now()) : std::string("unknown age");
}

std::string age_of(std::optional<clock::time_point> then, const clock& clk) {
    return then ? age_between(*then, clk.now()) : std::string("unknown age");
}

std::string iso8601(clock::time_point t) { return adapters::format_utc_iso8601(t); }

}  // namespace opsbot::commands
