#pragma once
// The operators' endpoint (README "Operating opsbot", issue 15 item 1): off unless `http.listen` is configured.
//   GET /healthz  200 "ok" while the process serves
//   GET /readyz   200 when the Slack link is up and the database answers, else 503 with the reason
//   GET /metrics  the Prometheus text exposition format 0.0.4
// Anything else 404; a method other than GET 405. Beast stays in ops_http_server.cpp.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace opsbot::bot {

struct ops_http_handlers {
    /// nullopt when ready; otherwise why not, in words (the 503's body).
    std::function<std::optional<std::string>()> not_ready;
    /// The /metrics body.
    std::function<std::string()> metrics;
};

struct ops_http_answer {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    bool allow_get = false;  ///< a 405 names the one method served
};

/// The routing, without sockets: what a request with this method and target gets.
ops_http_answer answer_ops_request(std::string_view method, std::string_view target, const ops_http_handlers& h);

/// Listens on `host:port` (port 0: any free port) and serves on its own thread until destroyed. Handlers run on that
/// thread, never on the Socket Mode I/O thread: a scrape or a readiness query never delays an ack.
class ops_http_server {
public:
    /// Throws std::runtime_error (with the address and the reason) when it cannot listen.
    ops_http_server(const std::string& host, std::uint16_t port, ops_http_handlers handlers);
    ~ops_http_server();
    ops_http_server(const ops_http_server&) = delete;
    ops_http_server& operator=(const ops_http_server&) = delete;

    /// The port it listens on (the one the OS picked for port 0).
    std::uint16_t port() const;

private:
    class impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::bot
