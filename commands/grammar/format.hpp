#pragma once

#include "core/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opsbot::commands {

/// "de8b89f" from a full commit sha; "no commit" when empty.
std::string short_sha(std::string_view sha);
/// "3 min ago", "2 h ago", "4 days ago" for a time in Unix milliseconds.
std::string age_of_ms(std::int64_t unix_ms, const clock& clk);
/// The same for an ISO-8601 UTC time ("2026-11-26T10:00:00.000Z"); "unknown age" when unparsable.
std::string age_of_iso(std::string_view iso8601, const clock& clk);
/// The same for a time a platform reported (adapters::platform_deployment::created); "unknown age" for nullopt.
std::string age_of(std::optional<clock::time_point> then, const clock& clk);
/// "2026-11-27T07:35:04Z" (UTC, whole seconds)
std::string iso8601(clock::time_point t);

}  // namespace opsbot::commands
