#pragma once

#include "adapters/http_client.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// One Sentry issue (docs/platforms.md §5.1, §7).
struct sentry_issue {
    std::string id;
    std::string short_id;  ///< "API-1"
    std::string title;
    std::string culprit;
    std::string permalink;
    std::string level;   ///< error | warning | fatal | info | debug
    std::string status;  ///< unresolved | resolved | ignored
    std::int64_t count = 0;       ///< events; a STRING in Sentry's JSON, parsed here
    std::int64_t user_count = 0;  ///< users affected
    clock::time_point first_seen;
    clock::time_point last_seen;
};

/// New issues, and whether the page cap cut the list short.
struct sentry_issue_list {
    std::vector<sentry_issue> issues;
    bool truncated = false;  ///< more pages existed than the adapter reads (see max_pages)
};

/// Sentry issues of the configured organisation and project. Errors: 401/403 -> auth, 404 -> not_found naming
/// the organisation, 429 (after the client's retries) -> rate_limited, malformed JSON or a wrong shape ->
/// bad_response naming the endpoint; other statuses -> http_status.
class sentry_issues {
public:
    static constexpr int max_pages = 10;

    virtual ~sentry_issues() = default;

    /// Unresolved issues of `environment` first seen at or after `since`: GET /api/0/organizations/{org}/issues/
    /// with query `firstSeen:>=<since> is:unresolved` and start=since, end=now, following Link rel="next" while
    /// results="true" (at most max_pages pages). Issues first seen before `since` are dropped here as well.
    virtual result<sentry_issue_list> new_issues_since(clock::time_point since, const std::string& environment) = 0;
};

/// The real adapter. `token` is the value of sentry.token_env; `http` (and `clk`, when given) must outlive it.
/// `clk` gives the end of the queried window; the system clock when null.
std::unique_ptr<sentry_issues> make_sentry_issues(const sentry_config& config, std::string token, http_client& http,
                                                  const clock* clk = nullptr);

/// "2026-11-26T10:05:00Z" (UTC, whole seconds), the form Sentry's search and start/end accept.
std::string format_utc_iso8601(clock::time_point t);

/// Parses the timestamps Sentry and BetterStack send: "2026-11-26T10:05:00Z", with optional fractional seconds
/// and a "Z" or "+HH:MM" offset. nullopt for anything else.
std::optional<clock::time_point> parse_utc_iso8601(std::string_view text);

}  // namespace opsbot::adapters
