// `http.listen`: the operators' endpoint is off unless configured, loopback unless the address says otherwise
// (issue 15 item 1).
#include "config/config.hpp"
#include "tests/unit/config/top_level.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opsbot;

using opsbot::testing::problems_at;
using opsbot::testing::with_top;

TEST_CASE("without an http section there is no endpoint", "[config]") {
    auto r = with_top("");
    REQUIRE(r.config);
    CHECK(r.problems.empty());
    CHECK_FALSE(r.config->http.has_value());
}

TEST_CASE("http.listen takes an IP address and a port", "[config]") {
    auto r = with_top(R"(, "http": { "listen": "127.0.0.1:9464" })");
    REQUIRE(r.config);
    CHECK(r.problems.empty());
    REQUIRE(r.config->http);
    CHECK(r.config->http->host == "127.0.0.1");
    CHECK(r.config->http->port == 9464);

    auto any = with_top(R"(, "http": { "listen": "0.0.0.0:0" })");
    REQUIRE(any.config->http);
    CHECK(any.config->http->host == "0.0.0.0");
    CHECK(any.config->http->port == 0);
}

TEST_CASE("http.listen without a host, or with localhost, is loopback, and IPv6 goes in brackets", "[config]") {
    CHECK(parse_listen_address(":9464")->host == "127.0.0.1");
    CHECK(parse_listen_address("localhost:9100")->host == "127.0.0.1");
    CHECK(parse_listen_address("localhost:9100")->port == 9100);
    CHECK(parse_listen_address("[::1]:9464")->host == "::1");
}

TEST_CASE("a bad http.listen is a problem at its path that says what is wrong", "[config]") {
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": "9464" })"), "http.listen"),
               Catch::Contains("is not HOST:PORT"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": "127.0.0.1:99999" })"), "http.listen"),
               Catch::Contains("from 0 to 65535"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": "127.0.0.1:http" })"), "http.listen"),
               Catch::Contains("from 0 to 65535"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": "metrics.example.com:9464" })"), "http.listen"),
               Catch::Contains("must be an IP address"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": "::1:9464" })"), "http.listen"),
               Catch::Contains("must be an IP address"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": 9464 })"), "http.listen"), Catch::Contains("string"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { })"), "http.listen"), Catch::Contains("required"));
    CHECK_THAT(problems_at(with_top(R"(, "http": { "listen": ":1", "port": 2 })"), "http.port"),
               Catch::Contains("unknown"));
    auto bad = with_top(R"(, "http": { "listen": "nowhere" })");
    CHECK_FALSE(bad.config->http.has_value());
}
