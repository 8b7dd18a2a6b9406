#pragma once

// Internal to the secret providers (resend/openai/posthog_provider.cpp): one authenticated JSON call with the
// status mapping every adapter uses and error messages scrubbed of key values (platforms.md §6).

#include "adapters/http_client.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

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

/// The raw answer, with transport errors prefixed ("Resend: GET /api-keys: …").
result<http_response> send(http_client& http, const call& c);

/// Maps a non-2xx answer: 401/403 -> auth, 404 -> not_found, 409 -> conflict, 429 -> rate_limited (Retry-After),
/// others -> http_status. The provider's own error text is included after removing `secrets` and anything
/// token-shaped, so the message never carries a key value.
error status_error(const call& c, const http_response& response, std::initializer_list<std::string_view> secrets);

/// send() + status_error() + JSON parsing (null for an empty 2xx body).
result<boost::json::value> send_json(http_client& http, const call& c, std::initializer_list<std::string_view> secrets);

/// secret.provider[key], or `fallback` when absent or empty.
std::string setting(const std::map<std::string, std::string>& provider, const std::string& key, std::string fallback);

/// `text` with every occurrence of each secret (>= 4 chars) and every token-shaped string replaced.
std::string scrub(std::string_view text, std::initializer_list<std::string_view> secrets);

}  // namespace opsbot::adapters::provider_http
