#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::sim {

/// A request as the loopback server saw it.
struct request {
    std::string method;
    std::string target;  ///< path and query, as sent
    std::string path;    ///< without the query, percent-decoded
    std::map<std::string, std::string> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// Case-insensitive header lookup.
    std::optional<std::string> header(std::string_view name) const;
};

struct response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// Close the connection without answering (simulates a dropped connection).
    bool drop_connection = false;

    static response json(int status, const boost::json::value& body);
    static response text(int status, std::string body);
};

using handler = std::function<response(const request&)>;

/// For TLS tests: a PEM certificate chain and key. Empty = plain HTTP.
struct tls_identity {
    std::string certificate_pem;
    std::string private_key_pem;
};

/// An HTTP/1.1 server on 127.0.0.1, port 0 (the OS picks), for protocol-faithful fakes of outside APIs
/// and the demo's sandbox. Each connection is served on its own thread, so a handler may block
/// (e.g. to simulate a platform that does not answer) without holding up other connections.
/// Keep-alive is supported. Every request is recorded.
class http_server {
public:
    explicit http_server(handler h, std::optional<tls_identity> tls = std::nullopt);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    uint16_t port() const;
    /// "http://127.0.0.1:PORT" (or https://localhost:PORT with TLS).
    std::string base_url() const;

    std::vector<request> requests() const;
    size_t request_count() const;
    /// Number of TCP connections accepted so far (keep-alive reuse tests).
    size_t connection_count() const;
    void clear_requests();

    /// Stops accepting, closes open connections, joins threads. Idempotent; never hangs. A handler blocked
    /// in test code must be released before the server is destroyed: stop() waits 5 s for it, then logs
    /// an error and detaches that connection's thread (which keeps the server's shared state alive).
    void stop();

private:
    class impl;
    std::unique_ptr<impl> impl_;
};

/// A self-signed certificate for the given DNS name (and 127.0.0.1), made with OpenSSL at run time: for TLS tests.
/// EC P-256, valid one day. include_loopback_ip = false leaves DNS:<dns_name> as the only SAN (mismatch tests).
tls_identity make_self_signed_identity(const std::string& dns_name, bool include_loopback_ip = true);

}  // namespace opsbot::sim
