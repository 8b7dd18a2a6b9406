#pragma once

#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
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
    int max_attempts = 4;                               ///< on 429, 5xx and connection errors
    std::chrono::milliseconds max_total{60000};         ///< all attempts and waits together
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{30000};
    bool verify_tls = true;  ///< peer certificate + host name against the system CA store
    std::string ca_file;     ///< extra CA bundle (tests with a private CA)
    std::string user_agent = "opsbot/0.1";
    /// How to wait between attempts; injectable so tests observe the waits instead of sleeping.
    std::function<void(std::chrono::milliseconds)> sleep;
};

/// A blocking HTTPS client, safe to call from many threads at once. Keeps connections alive per host.
/// Plain http:// is refused unless the host is a loopback address.
class http_client {
public:
    virtual ~http_client() = default;
    /// Sends the request and returns the response.
    /// - Any status other than 429 and 5xx (including 4xx) is a *success* value: callers map statuses.
    /// - 429, 5xx and connection failures are retried with exponential backoff + jitter, waiting at least
    ///   Retry-After, within max_attempts and max_total. Once given up: 429 -> rate_limited (retry_after
    ///   set), 5xx -> http_status (http_status set), connection failures -> network / timeout.
    /// - After the request was written, a transport failure is retried only for idempotent methods, and a
    ///   request_timeout is never retried (the peer may still act on it): error_kind::timeout.
    /// - A reused keep-alive connection found closed is replaced once, transparently.
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

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace opsbot::adapters
