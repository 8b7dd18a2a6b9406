#include "bot/ops_http/ops_http.hpp"

#include "metrics/registry.hpp"

namespace opsbot::bot {

ops_http_answer answer_ops_request(std::string_view method, std::string_view target, const ops_http_handlers& h) {
    const std::string_view path = target.substr(0, target.find('?'));
    ops_http_answer out;
    if (path != "/healthz" && path != "/readyz" && path != "/metrics") {
        out.status = 404;
        out.body = "not found: the endpoint serves /healthz, /readyz and /metrics\n";
        return out;
    }
    if (method != "GET") {
        out.status = 405;
        out.body = "method not allowed: GET only\n";
        out.allow_get = true;
        return out;
    }
    if (path == "/healthz") {
        out.body = "ok\n";
    } else if (path == "/readyz") {
        if (auto why = h.not_ready ? h.not_ready() : std::optional<std::string>("no readiness check")) {
            out.status = 503;
            out.body = "not ready: " + *why + "\n";
        } else {
            out.body = "ready\n";
        }
    } else {
        out.content_type = std::string(metrics::text_content_type);
        out.body = h.metrics ? h.metrics() : std::string();
    }
    return out;
}

}  // namespace opsbot::bot
