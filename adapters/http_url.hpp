#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace opsbot::adapters {

/// The parts of an absolute http(s) URL the client needs. Internal to the HTTP client.
struct parsed_url {
    bool tls = true;
    std::string host;    ///< no brackets around an IPv6 literal
    uint16_t port = 443;
    std::string target;  ///< path and query, at least "/"

    /// "host:port" as sent in the Host header (port omitted when it is the scheme's default).
    std::string host_header() const;
    /// "https://host[:port]/path" without the query, safe to put in error messages.
    std::string display() const;
    /// Key of the connection pool.
    std::string pool_key() const;
};

/// Parses and checks a request URL: http or https only, a host, and http only to a loopback host.
result<parsed_url> parse_request_url(std::string_view url);

}  // namespace opsbot::adapters
