// The operators' endpoint's routing (bot/ops_http): what each method and path gets, without sockets.
#include "bot/ops_http/ops_http.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::bot;

namespace {

ops_http_handlers handlers(std::optional<std::string> not_ready) {
    ops_http_handlers h;
    h.not_ready = [not_ready] { return not_ready; };
    h.metrics = [] { return std::string("# HELP x y\n# TYPE x counter\nx 1\n"); };
    return h;
}

}  // namespace

TEST_CASE("healthz answers ok whatever the readiness", "[ops_http]") {
    auto a = answer_ops_request("GET", "/healthz", handlers("the Slack link is down"));
    CHECK(a.status == 200);
    CHECK(a.body == "ok\n");
}

TEST_CASE("readyz is 200 when ready and 503 with the reason otherwise", "[ops_http]") {
    auto ready = answer_ops_request("GET", "/readyz", handlers(std::nullopt));
    CHECK(ready.status == 200);
    auto down = answer_ops_request("GET", "/readyz", handlers("the Slack link is down"));
    CHECK(down.status == 503);
    CHECK(down.body == "not ready: the Slack link is down\n");
}

TEST_CASE("metrics is the exposition text with its content type, a query string ignored", "[ops_http]") {
    auto a = answer_ops_request("GET", "/metrics?name[]=x", handlers(std::nullopt));
    CHECK(a.status == 200);
    CHECK(a.content_type.starts_with("text/plain; version=0.0.4"));
    CHECK(a.body == "# HELP x y\n# TYPE x counter\nx 1\n");
}

TEST_CASE("other paths are 404 and other methods 405 with Allow GET", "[ops_http]") {
    CHECK(answer_ops_request("GET", "/", handlers(std::nullopt)).status == 404);
    CHECK(answer_ops_request("GET", "/metrics/extra", handlers(std::nullopt)).status == 404);
    auto post = answer_ops_request("POST", "/metrics", handlers(std::nullopt));
    CHECK(post.status == 405);
    CHECK(post.allow_get);
    CHECK(answer_ops_request("HEAD", "/healthz", handlers(std::nullopt)).status == 405);
    CHECK(answer_ops_request("DELETE", "/nowhere", handlers(std::nullopt)).status == 404);
}
