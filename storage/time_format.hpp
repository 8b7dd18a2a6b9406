#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace opsbot::storage {

/// "2026-09-21T12:34:56.789Z": UTC, always millisecond precision and fixed width, so stored times sort as text.
std::string format_iso8601_ms(clock::time_point t);

/// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff…]]" followed by "Z" or "±HH:MM" (a bare date means
/// midnight UTC). Anything else is invalid_input with a message naming the expected form.
result<clock::time_point> parse_iso8601(std::string_view text);

/// Milliseconds since the Unix epoch, the form stored in INTEGER columns.
std::int64_t to_unix_ms(clock::time_point t);
clock::time_point from_unix_ms(std::int64_t ms);

}  // namespace opsbot::storage
