#pragma once
// Internal to storage/*.cpp: turns database exceptions (sql::error) into opsbot::result, and maps action ids to rows.

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/sql.hpp"

namespace opsbot::storage::detail {

/// Runs `body` (which returns a result<T>); an sql::error or other exception becomes error_kind::internal, logged.
template <class F>
auto guarded(std::string_view what, F&& body) -> std::invoke_result_t<F> {
    try {
        return body();
    } catch (const std::exception& e) {
        spdlog::error("storage: {} failed: {}", what, e.what());
        return fail(error_kind::internal, std::string("database error while trying to ") + std::string(what));
    }
}

/// "A-17" -> 17; nullopt for anything else.
inline std::optional<std::int64_t> action_seq(const action_id& id) {
    const std::string& s = id.str();
    if (s.size() < 3 || s[0] != 'A' || s[1] != '-') {
        return std::nullopt;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

inline action_id make_action_id(std::int64_t seq) {
    return action_id{"A-" + std::to_string(seq)};
}

}  // namespace opsbot::storage::detail
