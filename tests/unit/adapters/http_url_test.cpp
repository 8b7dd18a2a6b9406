#include "adapters/http_client.hpp"
#include "adapters/http_retry.hpp"
#include "adapters/http_url.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace opsbot::adapters;
using namespace std::chrono_literals;

TEST_CASE("join_url keeps a base path prefix", "[http]") {
    CHECK(join_url("https://proxy.example/vercel", "/v9/x") == "https://proxy.example/vercel/v9/x");
    CHECK(join_url("https://proxy.example/vercel/", "/v9/x") == "https://proxy.example/vercel/v9/x");
    CHECK(join_url("https://proxy.example/vercel/", "v9/x") == "https://proxy.example/vercel/v9/x");
    CHECK(join_url("https://proxy.example/vercel", "v9/x") == "https://proxy.example/vercel/v9/x");
    CHECK(join_url("https://slack.com/api/", "chat.postMessage") == "https://slack.com/api/chat.postMessage");
    CHECK(join_url("https://api.vercel.com", "/v9/projects?teamId=t") == "https://api.vercel.com/v9/projects?teamId=t");
    CHECK(join_url("https://api.vercel.com/", "") == "https://api.vercel.com/");
}

TEST_CASE("is_loopback_host", "[http]") {
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.255.3.4"));
    CHECK(is_loopback_host("::1"));
    CHECK(is_loopback_host("[::1]"));
    CHECK(is_loopback_host("localhost"));
    CHECK(is_loopback_host("LocalHost"));
    CHECK_FALSE(is_loopback_host("10.0.0.1"));
    CHECK_FALSE(is_loopback_host("128.0.0.1"));
    CHECK_FALSE(is_loopback_host("example.com"));
    CHECK_FALSE(is_loopback_host("localhost.example.com"));
    CHECK_FALSE(is_loopback_host("127.0.0.1.nip.io"));
    CHECK_FALSE(is_loopback_host("::2"));
    CHECK_FALSE(is_loopback_host(""));
}

TEST_CASE("parse_request_url splits and checks a URL", "[http]") {
    auto u = parse_request_url("https://api.vercel.com/v9/projects/x?teamId=t");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "api.vercel.com");
    CHECK(u->port == 443);
    CHECK(u->target == "/v9/projects/x?teamId=t");
    CHECK(u->host_header() == "api.vercel.com");
    CHECK(u->display() == "https://api.vercel.com/v9/projects/x");

    auto local = parse_request_url("http://[::1]:8080");
    REQUIRE(local);
    CHECK_FALSE(local->tls);
    CHECK(local->host == "::1");
    CHECK(local->target == "/");
    CHECK(local->host_header() == "[::1]:8080");

    auto plain = parse_request_url("http://example.com/x");
    REQUIRE_FALSE(plain);
    CHECK(plain.error().kind == opsbot::error_kind::invalid_input);
    CHECK_THAT(plain.error().message, Catch::Contains("https://"));

    CHECK_FALSE(parse_request_url("ftp://example.com/x"));
    CHECK_FALSE(parse_request_url("/relative/path"));
    CHECK_FALSE(parse_request_url("https:///nohost"));
}

TEST_CASE("parse_request_url refuses a percent-encoded host name (found by fuzz)", "[http]") {
    // fuzz/crashes/url/: "a%99o" decoded to a raw 0x99 byte, a host no URL rebuilt from the parts could name.
    auto encoded = parse_request_url("https://a9999999999%99o/v/pro");
    REQUIRE_FALSE(encoded);
    CHECK(encoded.error().kind == opsbot::error_kind::invalid_input);
    CHECK_FALSE(parse_request_url("https://api%2Evercel.com/v9"));
    CHECK(parse_request_url("https://api.vercel.com/v9/a%20b"));  // in the path it is fine
}

TEST_CASE("parse_retry_after reads seconds and HTTP dates", "[http]") {
    const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(parse_retry_after("2", now) == 2000ms);
    CHECK(parse_retry_after(" 120 ", now) == 120000ms);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30000ms);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0ms);
    CHECK_FALSE(parse_retry_after("soon", now));
    CHECK_FALSE(parse_retry_after("-5", now));
    CHECK_FALSE(parse_retry_after("", now));
}

TEST_CASE("backoff grows exponentially within jitter bounds", "[http]") {
    for (int i = 0; i < 50; ++i) {
        const auto first = backoff_with_jitter(1, 500ms, 30s);
        CHECK(first >= 250ms);
        CHECK(first <= 500ms);
        const auto third = backoff_with_jitter(3, 500ms, 30s);
        CHECK(third >= 1000ms);
        CHECK(third <= 2000ms);
        const auto capped = backoff_with_jitter(30, 500ms, 30s);
        CHECK(capped >= 15s);
        CHECK(capped <= 30s);
    }
}

TEST_CASE("parse_json reports malformed input clearly", "[http]") {
    auto bad = parse_json("{\"token\": \"xoxb-secret\"", "Vercel deployments");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == opsbot::error_kind::bad_response);
    CHECK_THAT(bad.error().message, Catch::StartsWith("Vercel deployments: malformed JSON"));
    CHECK_THAT(bad.error().message, !Catch::Contains("xoxb-secret"));

    auto empty = parse_json("", "Slack auth.test");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().kind == opsbot::error_kind::bad_response);
    CHECK_THAT(empty.error().message, Catch::Contains("empty"));

    auto good = parse_json(R"({"a":[1,2]})", "x");
    REQUIRE(good);
    CHECK(good->at("a").as_array().size() == 2);
}

TEST_CASE("json_request and header lookup", "[http]") {
    auto req = json_request("POST", "https://x.example/y", boost::json::object{{"k", "v"}});
    CHECK(req.method == "POST");
    CHECK(boost::json::parse(req.body) == boost::json::value(boost::json::object{{"k", "v"}}));
    http_response res;
    for (const auto& h : req.headers) {
        res.headers.push_back(h);
    }
    CHECK(res.header("content-type").value_or("") == "application/json; charset=utf-8");
    CHECK_FALSE(res.header("Retry-After"));

    auto get = json_request("GET", "https://x.example/y", nullptr);
    CHECK(get.body.empty());
}
