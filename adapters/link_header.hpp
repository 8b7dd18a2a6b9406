#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// One link-value of an RFC 8288 `Link` header: `<target>; rel="next"; results="true"`.
struct web_link {
    std::string target;                        ///< the URI reference between < and >, as sent
    std::map<std::string, std::string> params;  ///< names lower-cased, quoted values unquoted and unescaped

    /// A parameter's value (name case-insensitive), or nullopt when absent.
    std::optional<std::string> param(std::string_view name) const;
    /// True when `rel` lists `relation` (rel may hold several space-separated relation types, RFC 8288 §3.3).
    bool has_rel(std::string_view relation) const;
};

/// Parses a Link header field value (RFC 8288 §3). Commas and semicolons inside <…> and quoted strings are
/// handled; a malformed link-value is skipped, never guessed at.
std::vector<web_link> parse_link_header(std::string_view value);

/// The first link with the given relation type, if any.
std::optional<web_link> find_link(std::string_view header_value, std::string_view relation);

/// Resolves a link target against the URL of the request that returned it: absolute targets are kept,
/// "/path?query" targets take the request's scheme and authority. Other relative forms give nullopt.
std::optional<std::string> resolve_link_target(std::string_view request_url, std::string_view target);

/// True when both absolute URLs have the same scheme, host (case-insensitive) and effective port: a next-page
/// URL must pass this against the configured api_url before the token is sent to it.
bool same_origin(std::string_view a, std::string_view b);

}  // namespace opsbot::adapters
