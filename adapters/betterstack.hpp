#pragma once

#include "adapters/http_client.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <memory>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// One BetterStack Uptime monitor (docs/platforms.md §5.2).
struct monitor_state {
    std::string id;
    std::string name;    ///< attributes.pronounceable_name
    std::string url;     ///< attributes.url
    std::string status;  ///< paused | pending | maintenance | up | validating | down
    std::string last_checked_at;  ///< ISO 8601 as sent (parse_utc_iso8601 in sentry.hpp reads it); may be empty

    bool down() const { return status == "down"; }
    bool up() const { return status == "up"; }
};

/// BetterStack Uptime monitors. Errors: 401/403 -> auth, 404 -> not_found, malformed JSON or a wrong shape ->
/// bad_response naming the endpoint, a pagination.next URL on another host -> bad_response (the token is never
/// sent off the configured api_url), other statuses -> http_status (429 is retried by the HTTP client).
class betterstack_monitors {
public:
    static constexpr int max_pages = 20;

    virtual ~betterstack_monitors() = default;

    /// Every monitor: GET /api/v2/monitors?per_page=250, following pagination.next until null.
    virtual result<std::vector<monitor_state>> monitors() = 0;
};

/// The real adapter. `token` is the value of betterstack.token_env; `http` must outlive it.
std::unique_ptr<betterstack_monitors> make_betterstack_monitors(const betterstack_config& config, std::string token,
                                                                http_client& http);

}  // namespace opsbot::adapters
