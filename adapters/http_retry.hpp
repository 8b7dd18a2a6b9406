#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace opsbot::adapters {

/// Parses a Retry-After header: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
/// RFC 9110 §10.2.3), relative to `now`. A date in the past gives zero; garbage gives nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// Exponential backoff for the given retry (1 = first retry): initial * 2^(retry-1), capped at max,
/// then "equal jitter": a uniformly random wait in [backoff/2, backoff].
std::chrono::milliseconds backoff_with_jitter(int retry, std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max);

}  // namespace opsbot::adapters
