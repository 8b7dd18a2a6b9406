#pragma once

// Internal to the secret providers (resend/openai/posthog_provider.cpp): one authenticated JSON call with the
// status mapping every adapter uses and error messages scrubbed of key values (platforms.md §6).

#include "adapters/http_client.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters::provider_http {

/// One call to a provider API.
struct call {
    std::string_view provider;  ///< "Resend", "OpenAI", "PostHog": the message prefix
    std::string method = "GET";
    std::string url;
    std::string bearer;                        ///< sent as `Authorization: Bearer <bearer>`
    const boost::json::value* body = nullptr;  ///< JSON body, or none
    std::string_view endpoint;                 ///< "GET /api-keys": named in messages (never the query or a key)
};

/// The raw answer, with transport errors prefixed ("Resend: GET /api-keys: …"). `idempotent` lets the client repeat
/// a write whose answer was lost (see http_request::idempotent); GETs always may be repeated.
result<http_response> send(http_client& http, const call& c, bool idempotent = false);

/// Maps a non-2xx answer: 401/403 -> auth, 404 -> not_found, 409 -> conflict, 429 -> rate_limited (Retry-After),
/// others -> http_status. The provider's own error text is included after removing `secrets` and anything
/// token-shaped, so the message never carries a key value.
error status_error(const call& c, const http_response& response, std::initializer_list<std::string_view> secrets);

/// send() + status_error() + JSON parsing (null for an empty 2xx body).
result<boost::json::value> send_json(http_client& http, const call& c, std::initializer_list<std::string_view> secrets);

/// secret.provider[key], or `fallback` when absent or empty.
std::string setting(const std::map<std::string, std::string>& provider, const std::string& key, std::string fallback);

/// Messages for a key list that does not have the documented shape ("Resend: GET /api-keys: no `data` array").
struct list_messages {
    std::string_view no_data;     ///< the answer has no `data` array
    std::string_view not_object;  ///< an item of `data` is not an object
};

/// The ids in a `{"data": [{"id", …}], "has_more"}` key list, following `after=<last id>` cursor pages (at most
/// 50) while `has_more`. `page(after)` builds the call for a page (`after` empty for the first); an item is
/// listed when it has an id and `keep(item)` holds. Transport, status and JSON errors scrub `secret`.
result<std::vector<std::string>> list_key_ids(http_client& http, const std::function<call(const std::string&)>& page,
                                              std::string_view secret, const list_messages& messages,
                                              const std::function<bool(const boost::json::object&)>& keep);

/// Sends a DELETE for key `id`: 2xx is revoked, 404 is "already gone" (both succeed and are logged as
/// "<provider>: revoked <what> <id>" / "<provider>: <what> <id> was already gone"); any other status is an error.
/// Since a second DELETE of the same key ends the same way, the client may repeat it (RFC 9110 §9.2.2).
result<void> revoke(http_client& http, const call& c, std::string_view secret, std::string_view what,
                    const std::string& id);

/// Revokes each of `ids` except `keep_id` through `revoke_one`, stopping at the first failure; returns the ids
/// revoked. What cleanup_unused does once a provider has listed the keys it made under one name.
result<std::vector<std::string>> revoke_all_but(const std::vector<std::string>& ids, const std::string& keep_id,
                                                const std::function<result<void>(const std::string&)>& revoke_one);

/// `text` with every occurrence of each secret (>= 4 chars) and every token-shaped string replaced. Shared by
/// every adapter whose error text may echo a value it was sent (Vercel env writes, Railway variable upserts).
std::string scrub(std::string_view text, std::span<const std::string_view> secrets);
std::string scrub(std::string_view text, std::initializer_list<std::string_view> secrets);

}  // namespace opsbot::adapters::provider_http
