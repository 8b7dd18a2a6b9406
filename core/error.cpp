#include "core/error.hpp"

namespace opsbot {

std::string_view to_string(error_kind kind) {
    switch (kind) {
        case error_kind::invalid_input: return "invalid input";
        case error_kind::network: return "network error";
        case error_kind::timeout: return "timed out";
        case error_kind::http_status: return "HTTP error";
        case error_kind::bad_response: return "bad response";
        case error_kind::auth: return "authentication failed";
        case error_kind::not_found: return "not found";
        case error_kind::conflict: return "conflict";
        case error_kind::rate_limited: return "rate limited";
        case error_kind::forbidden: return "forbidden";
        case error_kind::unavailable: return "unavailable";
        case error_kind::internal: return "internal error";
        case error_kind::unknown_outcome: return "outcome unknown";
        case error_kind::changed_since_approval: return "changed since approval";
    }
    return "error";
}

}  // namespace opsbot
