#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>

namespace opsbot {

/// What went wrong, in categories callers can act on.
enum class error_kind {
    invalid_input,  ///< the user (or a config) asked for something malformed
    network,        ///< could not connect, TLS failed, connection dropped
    timeout,        ///< a stage did not finish in time
    http_status,    ///< the peer answered with an HTTP error status
    bad_response,   ///< the peer's answer could not be understood (malformed JSON, missing fields)
    auth,           ///< credentials refused: retrying will not help
    not_found,
    conflict,       ///< lock busy, state changed, illegal transition
    rate_limited,   ///< told to slow down; see retry_after
    forbidden,      ///< policy refused it
    unavailable,    ///< feature or section not configured / not available yet
    internal,
    /// A request that changes something may have reached the platform, but its answer was lost (timeout,
    /// dropped connection) or was a 5xx: the platform may or may not have acted. Never repeated blindly:
    /// the caller reads the platform to find out (docs/design.md "Actions and steps").
    unknown_outcome,
    /// An acting step's precondition no longer holds: what the approved plan recorded (the live deployment,
    /// the migration checksums) is not what the platform shows now. Nothing after it runs.
    changed_since_approval,
};

/// The one error type crossing adapter and storage boundaries (docs/style.md §5).
struct error {
    error_kind kind = error_kind::internal;
    std::string message;  ///< human text, safe to show: never contains a secret
    int http_status = 0;
    std::optional<std::chrono::milliseconds> retry_after;
};

template <class T>
using result = std::expected<T, error>;

inline std::unexpected<error> fail(error_kind kind, std::string message, int http_status = 0) {
    return std::unexpected(error{kind, std::move(message), http_status, std::nullopt});
}

std::string_view to_string(error_kind kind);

}  // namespace opsbot
