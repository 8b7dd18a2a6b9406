#pragma once

#include "adapters/http_client.hpp"
#include "adapters/http_url.hpp"

#include <chrono>
#include <expected>
#include <memory>
#include <string>

namespace opsbot::adapters {

/// The TLS settings shared by all connections of one client (wraps an OpenSSL SSL_CTX).
class tls_context;

/// Builds the client TLS context: system CA store plus options.ca_file, peer verification unless
/// options.verify_tls is false. Fails with invalid_input if ca_file cannot be loaded.
result<std::shared_ptr<tls_context>> make_tls_context(const http_options& options);

/// One keep-alive connection (plain TCP or TLS) with its own io_context, used by one thread at a time.
/// Every operation is blocking with a deadline.
class http_connection {
public:
    /// How an exchange failed: `stale` is true when nothing at all came back from the peer after the write
    /// (or the write itself failed), i.e. a reused keep-alive connection the peer had already closed.
    struct failure {
        error err;
        bool stale = false;
        bool permanent = false;  ///< retrying cannot help (the peer's certificate was refused)
    };

    ~http_connection();
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;

    /// Resolves, connects and (for https) handshakes, all within `timeout`. `what` prefixes error messages.
    static std::expected<std::unique_ptr<http_connection>, failure> open(const parsed_url& url,
                                                         const std::shared_ptr<tls_context>& tls,
                                                         std::chrono::milliseconds timeout,
                                                         const std::string& what);

    /// Writes the request and reads the whole response within `timeout`.
    std::expected<http_response, failure> exchange(const http_request& request, const parsed_url& url,
                                                   const std::string& user_agent,
                                                   std::chrono::milliseconds timeout, const std::string& what);

    /// True when the last response allows the connection to be used again.
    bool reusable() const;

private:
    class impl;
    explicit http_connection(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::adapters
