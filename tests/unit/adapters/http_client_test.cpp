#include "adapters/http_client.hpp"
#include "sim/http_server.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <numeric>
#include <thread>

using namespace opsbot::adapters;
using namespace std::chrono_literals;
using opsbot::error_kind;
namespace sim = opsbot::sim;

namespace {

/// Records the waits the client asks for instead of sleeping.
struct sleep_log {
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;

    std::function<void(std::chrono::milliseconds)> fn() {
        return [this](std::chrono::milliseconds d) {
            std::lock_guard lock(mutex);
            waits.push_back(d);
        };
    }
    std::chrono::milliseconds total() {
        std::lock_guard lock(mutex);
        return std::accumulate(waits.begin(), waits.end(), 0ms);
    }
};

http_request get(const std::string& url) {
    http_request request;
    request.url = url;
    return request;
}

http_request post(const std::string& url, std::string body) {
    http_request request;
    request.method = "POST";
    request.url = url;
    request.body = std::move(body);
    return request;
}

/// Client options whose waits go to `sleeps`; `tweak` adjusts the rest.
http_options with_sleeps(sleep_log& sleeps, const std::function<void(http_options&)>& tweak = {}) {
    http_options options;
    options.sleep = sleeps.fn();
    if (tweak) {
        tweak(options);
    }
    return options;
}

/// A server whose handler holds every request until release() (or 30 s): a platform that does not answer.
struct stalled_server {
    std::promise<void> released;
    std::shared_future<void> done = released.get_future().share();
    sim::http_server server{[f = done](const sim::request&) {
        f.wait_for(30s);
        return sim::response::text(200, "late");
    }};
    void release() { released.set_value(); }
};

}  // namespace

TEST_CASE("a JSON request reaches the server intact and the answer comes back", "[http]") {
    sim::http_server server([](const sim::request& r) {
        return sim::response::json(201, {{"echo", boost::json::parse(r.body)}, {"ok", true}});
    });
    auto client = make_http_client();
    auto req = json_request("POST", server.base_url() + "/v1/things?team=a%20b&x=1", {{"name", "web"}});
    req.headers.push_back({"Authorization", "Bearer tok-123"});

    auto res = client->send(req);
    REQUIRE(res);
    CHECK(res->status == 201);
    auto body = parse_json(res->body, "echo");
    REQUIRE(body);
    CHECK(body->at("echo").at("name").as_string() == "web");

    REQUIRE(server.request_count() == 1);
    const auto seen = server.requests().front();
    CHECK(seen.method == "POST");
    CHECK(seen.path == "/v1/things");
    CHECK(seen.query.at("team") == "a b");
    CHECK(seen.query.at("x") == "1");
    CHECK(seen.header("authorization").value_or("") == "Bearer tok-123");
    CHECK(seen.header("Content-Type").value_or("") == "application/json; charset=utf-8");
    CHECK(seen.header("User-Agent").value_or("") == "opsbot/0.1");
    CHECK(seen.header("Host").value_or("") == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(seen.header("Content-Length").value_or("") == std::to_string(req.body.size()));
    CHECK(boost::json::parse(seen.body) == boost::json::value({{"name", "web"}}));
}

TEST_CASE("sequential requests reuse one keep-alive connection", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(200, "ok"); });
    auto client = make_http_client();
    for (int i = 0; i < 3; ++i) {
        auto res = client->send(get(server.base_url() + "/ping"));
        REQUIRE(res);
        CHECK(res->body == "ok");
    }
    CHECK(server.request_count() == 3);
    CHECK(server.connection_count() == 1);
}

TEST_CASE("a reused connection closed by the peer is replaced once, without a retry wait", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        sim::response r = sim::response::text(200, "ok");
        r.drop_connection = ++calls == 2;  // the second request finds the connection gone
        return r;
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    REQUIRE(client->send(get(server.base_url() + "/a")));
    auto res = client->send(get(server.base_url() + "/a"));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(server.request_count() == 3);
    CHECK(server.connection_count() == 2);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a write never goes out on an idle keep-alive connection", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(200, "ok"); });
    auto client = make_http_client();
    REQUIRE(client->send(get(server.base_url() + "/a")));
    REQUIRE(client->send(post(server.base_url() + "/a", "1")));
    REQUIRE(client->send(post(server.base_url() + "/a", "2")));
    CHECK(server.request_count() == 3);
    CHECK(server.connection_count() == 3);  // one per POST
}

TEST_CASE("429 with Retry-After waits at least that long, then succeeds", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        if (++calls == 1) {
            auto r = sim::response::json(429, {{"error", "rate_limited"}});
            r.headers.emplace_back("Retry-After", "2");
            return r;
        }
        return sim::response::json(200, {{"ok", true}});
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.initial_backoff = 10ms; }));
    auto res = client->send(get(server.base_url() + "/limited"));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(server.request_count() == 2);
    REQUIRE(sleeps.waits.size() == 1);
    CHECK(sleeps.waits[0] >= 2000ms);
}

TEST_CASE("429 beyond the time budget gives up at once as rate_limited", "[http]") {
    sim::http_server server([](const sim::request&) {
        auto r = sim::response::text(429, "slow down");
        r.headers.emplace_back("Retry-After", "120");
        return r;
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.max_total = 60s; }));
    auto res = client->send(get(server.base_url() + "/limited"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::rate_limited);
    CHECK(res.error().http_status == 429);
    CHECK(res.error().retry_after == std::chrono::milliseconds(120s));
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("503 every time gives up after max_attempts", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(503, "down"); });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) {
        o.max_attempts = 3;
        o.initial_backoff = 100ms;
    }));
    http_request req = get(server.base_url() + "/v9/projects/x?token=qs-secret");
    req.headers.push_back({"Authorization", "Bearer hdr-secret"});
    auto res = client->send(req);
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::http_status);
    CHECK(res.error().http_status == 503);
    CHECK_THAT(res.error().message, Catch::StartsWith("GET http://127.0.0.1:"));
    CHECK_THAT(res.error().message, Catch::Contains("/v9/projects/x: HTTP 503"));
    CHECK_THAT(res.error().message, !Catch::Contains("secret"));
    CHECK(server.request_count() == 3);
    REQUIRE(sleeps.waits.size() == 2);
    CHECK(sleeps.waits[0] >= 50ms);
    CHECK(sleeps.waits[1] >= 100ms);  // grows: second retry waits in [100, 200] ms
}

TEST_CASE("retries stop within max_total", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(500, "boom"); });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) {
        o.max_attempts = 20;
        o.max_total = 2500ms;
        o.initial_backoff = 1000ms;
        o.max_backoff = 1000ms;
    }));
    auto res = client->send(get(server.base_url() + "/x"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::http_status);
    // Each wait is in [500, 1000] ms, so 2 to 4 waits fit in 2500 ms; never all 19.
    CHECK(sleeps.waits.size() >= 2);
    CHECK(sleeps.waits.size() <= 4);
    CHECK(sleeps.total() <= 2500ms);
    CHECK(server.request_count() == sleeps.waits.size() + 1);
}

TEST_CASE("404 is returned as a response, not retried", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::json(404, {{"error", "nope"}}); });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    auto res = client->send(get(server.base_url() + "/missing"));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->header("content-type").value_or("") == "application/json");
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a dropped connection on a GET is retried", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        sim::response r = sim::response::text(200, "second time lucky");
        r.drop_connection = ++calls == 1;
        return r;
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    auto res = client->send(get(server.base_url() + "/flaky"));
    REQUIRE(res);
    CHECK(res->body == "second time lucky");
    CHECK(server.request_count() == 2);
    CHECK(sleeps.waits.size() == 1);
}

TEST_CASE("a GET slower than request_timeout is retried, then gives a timeout error", "[http]") {
    stalled_server stalled;
    auto& server = stalled.server;
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) {
        o.request_timeout = 300ms;
        o.max_attempts = 2;
        o.initial_backoff = 10ms;
    }));
    const auto started = std::chrono::steady_clock::now();
    auto res = client->send(get(server.base_url() + "/slow"));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    stalled.release();
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::timeout);
    CHECK_THAT(res.error().message, Catch::Contains("timed out"));
    CHECK(elapsed >= 600ms);
    CHECK(elapsed < 10s);
    CHECK(server.request_count() == 2);  // a GET changes nothing: asking again is safe
    CHECK(sleeps.waits.size() == 1);
}

TEST_CASE("a POST slower than request_timeout is sent once: unknown outcome", "[http]") {
    stalled_server stalled;
    auto& server = stalled.server;
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.request_timeout = 300ms; }));
    auto res = client->send(post(server.base_url() + "/v1/rollback?team=t", "{}"));
    stalled.release();
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::unknown_outcome);
    CHECK_THAT(res.error().message, Catch::StartsWith("POST http://127.0.0.1:"));
    CHECK_THAT(res.error().message, Catch::Contains("/v1/rollback: read timed out after the request was sent"));
    CHECK_THAT(res.error().message, Catch::Contains("may have acted"));
    CHECK_THAT(res.error().message, !Catch::Contains("team=t"));
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a POST answered 502 is sent exactly once and returns unknown_outcome", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(502, "Bad Gateway"); });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    auto res = client->send(post(server.base_url() + "/graphql/v2?token=qs-secret", "{}"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::unknown_outcome);
    CHECK(res.error().http_status == 502);
    CHECK_THAT(res.error().message, Catch::StartsWith("POST http://127.0.0.1:"));
    CHECK_THAT(res.error().message, Catch::Contains("/graphql/v2: HTTP 502 after the request was sent"));
    CHECK_THAT(res.error().message, Catch::Contains("the platform may have acted on it"));
    CHECK_THAT(res.error().message, !Catch::Contains("secret"));
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a GET answered 502 then 200 is retried", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        return ++calls == 1 ? sim::response::text(502, "Bad Gateway") : sim::response::text(200, "ok");
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.initial_backoff = 10ms; }));
    auto res = client->send(get(server.base_url() + "/x"));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(server.request_count() == 2);
    CHECK(sleeps.waits.size() == 1);
}

TEST_CASE("a POST marked idempotent is retried on 502", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        return ++calls == 1 ? sim::response::text(502, "Bad Gateway") : sim::response::text(201, "{}");
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.initial_backoff = 10ms; }));
    http_request upsert = post(server.base_url() + "/v10/projects/p/env?upsert=true", "{}");
    upsert.idempotent = true;
    auto res = client->send(upsert);
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(server.request_count() == 2);
}

TEST_CASE("a GET marked not idempotent is not retried", "[http]") {
    sim::http_server server([](const sim::request&) { return sim::response::text(503, "down"); });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    http_request request = get(server.base_url() + "/x");
    request.idempotent = false;
    auto res = client->send(request);
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::unknown_outcome);
    CHECK(server.request_count() == 1);
}

TEST_CASE("a POST whose connection is dropped after the request was read is sent once: unknown outcome", "[http]") {
    sim::http_server server([](const sim::request&) {
        sim::response r;
        r.drop_connection = true;  // the handler ran (the platform acted), then the connection went away
        return r;
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    auto res = client->send(post(server.base_url() + "/api-keys", R"({"name":"opsbot"})"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::unknown_outcome);
    CHECK_THAT(res.error().message, Catch::Contains("after the request was sent"));
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a POST to a closed port never reached the server: retried, then a network error", "[http]") {
    std::string url;
    {
        sim::http_server gone([](const sim::request&) { return sim::response::text(200, "ok"); });
        url = gone.base_url() + "/x";
    }
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) {
        o.max_attempts = 3;
        o.initial_backoff = 10ms;
    }));
    auto res = client->send(post(url, "{}"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::network);
    CHECK_THAT(res.error().message, Catch::Contains("onnection refused"));
    CHECK_THAT(res.error().message, Catch::Contains("gave up after 3 attempts"));
    CHECK(sleeps.waits.size() == 2);
}

TEST_CASE("a POST answered 429 was refused, not processed: sent again after Retry-After", "[http]") {
    std::atomic<int> calls{0};
    sim::http_server server([&](const sim::request&) {
        if (++calls == 1) {
            auto r = sim::response::text(429, "slow down");
            r.headers.emplace_back("Retry-After", "3");
            return r;
        }
        return sim::response::text(201, "{}");
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps));
    auto res = client->send(post(server.base_url() + "/x", "{}"));
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(server.request_count() == 2);
    REQUIRE(sleeps.waits.size() == 1);
    CHECK(sleeps.waits[0] >= 3000ms);
}

TEST_CASE("a refused connection is a network error after retries", "[http]") {
    std::string url;
    {
        sim::http_server gone([](const sim::request&) { return sim::response::text(200, "ok"); });
        url = gone.base_url() + "/x";
    }
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.max_attempts = 2; }));
    auto res = client->send(get(url));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::network);
    CHECK_THAT(res.error().message, Catch::Contains("onnection refused"));
    CHECK(sleeps.waits.size() == 1);
}

TEST_CASE("plain http to a non-loopback host is refused before any traffic", "[http]") {
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.connect_timeout = 1ms; }));
    for (const char* url : {"http://10.0.0.1/x", "http://example.com/v9/x"}) {
        auto res = client->send(get(url));
        REQUIRE_FALSE(res);
        CHECK(res.error().kind == error_kind::invalid_input);
        CHECK_THAT(res.error().message, Catch::Contains("plain http://"));
    }
    CHECK(sleeps.waits.empty());
}

TEST_CASE("many threads share one client", "[http]") {
    sim::http_server server([](const sim::request& r) { return sim::response::text(200, r.path); });
    auto client = make_http_client();
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
                auto res = client->send(get(server.base_url() + path));
                if (res && res->body == path) {
                    ++good;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(good == 30);
    CHECK(server.request_count() == 30);
    CHECK(server.connection_count() <= 6);
}

TEST_CASE("a one-attempt GET returns a 503 with its body at once, never retried", "[http]") {
    sim::http_server server([](const sim::request&) {
        return sim::response::json(503,
                                   boost::json::parse(R"({"status":"error","checks":{"db":"ok","redis":"error"}})"));
    });
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) { o.initial_backoff = 10ms; }));
    auto request = get(server.base_url() + "/health");
    request.one_attempt = true;
    auto res = client->send(request);
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(res->body.find("\"redis\":\"error\"") != std::string::npos);
    CHECK(server.request_count() == 1);
    CHECK(sleeps.waits.empty());
}

TEST_CASE("a request's own timeout overrides the client's request_timeout", "[http]") {
    stalled_server stalled;
    sleep_log sleeps;
    auto client = make_http_client(with_sleeps(sleeps, [](http_options& o) {
        o.request_timeout = 30s;
        o.max_attempts = 1;
    }));
    auto request = get(stalled.server.base_url() + "/slow");
    request.timeout = 200ms;
    const auto started = std::chrono::steady_clock::now();
    auto res = client->send(request);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    stalled.release();
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::timeout);
    CHECK(elapsed < 10s);  // the client's own 30 s would have held it far longer
}
