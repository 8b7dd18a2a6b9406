#pragma once

// Internal to the Vercel adapter: parsing of GET /v10/projects/{id}/env pages (docs/platforms.md §1.5, §7).

#include "adapters/vercel.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>

namespace opsbot::adapters {

/// Appends the page's variables to `out` (names, ids, types and targets; values are never copied) and returns
/// pagination.next when the answer has one (null or absent: the last page). bad_response when `envs` is missing.
result<std::optional<std::int64_t>> parse_vercel_env_page(const boost::json::value& body,
                                                          std::vector<vercel_env_var>& out);

}  // namespace opsbot::adapters
