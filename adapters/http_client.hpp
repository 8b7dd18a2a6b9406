#pragma once

#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::adapters {

struct http_header {
    std::string name;
    std::string value;
};

struct http_request {
    std::string method = "GET";
    std::string url;  ///< absolute: https://host[:port]/path?query (http:// only to loopback)
    std::vector<http_header> headers;
    std::string body;
    /// May the client send this request again on its own? Unset: GET, HEAD and OPTIONS are, every other method is
    /// not. Set it to true only for a write the platform documents as idempotent (Vercel's env POST with
    /// upsert=true, Railway's variableCollectionUpsert) or for a read sent as a POST (a GraphQL query).
    std::optional<bool> idempotent;
    /// Send it once, whatever happens, and return any HTTP answer as a response — a 5xx with its body included:
    /// for a check whose failing answer is itself the finding (a /health body names what is down).
    bool one_attempt = false;
    /// Overrides http_options::request_timeout for this request (a check with a deadline of its own).
    std::optional<std::chrono::milliseconds> timeout;

    /// The marker, or the method's default.
    bool is_idempotent() const;
};

struct http_response {
    int status = 0;
    std::vector<http_header> headers;
    std::string body;

    /// Case-insensitive header lookup.
    std::optional<std::string> header(std::string_view name) const;
};

struct http_options {
    std::chrono::milliseconds connect_timeout{5000};  ///< DNS + TCP + TLS handshake
    std::chrono::milliseconds request_timeout{15000};  ///< write request + read response
    int max_attempts = 4;                               ///< see http_client::send for what is retried
    std::chrono::milliseconds max_total{60000};         ///< all attempts and waits together
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{30000};
    bool verify_tls = true;  ///< peer certificate + host name against the system CA store
    std::string ca_file;     ///< extra CA bundle (tests with a private CA)
    std::string user_agent = "opsbot/0.1";
    /// How to wait between attempts; injectable so tests observe the waits instead of sleeping.
    std::function<void(std::chrono::milliseconds)> sleep;
    /// Names the platform of each call in opsbot_platform_calls_total (metrics/opsbot_metrics.hpp), by the URL's
    /// url_authority(); a host not listed counts as `default_platform`. Filled from the config by the bot.
    std::map<std::string, std::string> platform_by_authority;
    std::string default_platform = "other";
};

/// A blocking HTTPS client, safe to call from many threads at once. Keeps connections alive per host.
/// Plain http:// is refused unless the host is a loopback address.
class http_client {
public:
    virtual ~http_client() = default;
    /// Sends the request and returns the response. A request that may have reached the platform is never sent
    /// twice on its own (RFC 9110 §9.2.2, docs/design.md "Actions and steps"):
    /// - Any status other than 429 and 5xx (including 4xx) is a *success* value: callers map statuses.
    /// - A request that demonstrably never reached the server (DNS, connect refused or timed out, TLS handshake
    ///   failed, except a refused certificate) is retried, whatever its method.
    /// - A 429 is retried whatever the method: it is a refusal sent instead of processing the request (RFC 6585
    ///   §4; Slack, Vercel, Railway and OpenAI all say to wait Retry-After and send it again).
    /// - An idempotent request (http_request::is_idempotent) is also retried on 5xx, a request timeout and a
    ///   connection dropped after it was written. Retries use exponential backoff + jitter, waiting at least
    ///   Retry-After, within max_attempts and max_total. Once given up: 429 -> rate_limited (retry_after set),
    ///   5xx -> http_status (http_status set), transport failures -> network / timeout.
    /// - A non-idempotent request is written at most once on a fresh connection (an idle keep-alive one may have
    ///   been closed by the peer just as it was written). If it may have been processed — written and then
    ///   answered 5xx, no answer within request_timeout, or the connection dropped after writing — the result is
    ///   error_kind::unknown_outcome (http_status set for a 5xx) at once: the platform may have acted, and only
    ///   the caller, by reading the platform, can tell.
    /// - A reused keep-alive connection of an idempotent request found closed is replaced once, transparently.
    /// - Sets Host, User-Agent (unless given) and Content-Length; Content-Type is the caller's header.
    /// - Error messages name the method and URL without the query, never header values.
    virtual result<http_response> send(const http_request& request) = 0;
};

std::unique_ptr<http_client> make_http_client(http_options options = {});

/// JSON helpers shared by the adapters. json_request sets Accept and, unless body is null, Content-Type.
http_request json_request(std::string method, std::string url, const boost::json::value& body);
result<boost::json::value> parse_json(std::string_view body, std::string_view what);

/// Joins a base URL that may carry a path prefix with an endpoint path, keeping the prefix
/// ("https://proxy/vercel" + "/v9/projects" -> "https://proxy/vercel/v9/projects").
std::string join_url(std::string_view base, std::string_view path);

/// RFC 3986 percent-encoding of everything but unreserved characters: for a path segment or a query value.
std::string percent_encode(std::string_view text);

/// "host:port" of an absolute http(s) URL, the port always written (443 / 80 by default); empty when it does not
/// parse. What http_options::platform_by_authority is keyed by.
std::string url_authority(std::string_view url);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace opsbot::adapters
