#include "bot/slack/socket_mode_link.hpp"

#include <catch2/catch.hpp>

using opsbot::bot::detail::parse_ws_url;

TEST_CASE("wss URLs from apps.connections.open are split into host, port and target", "[socket_mode]") {
    auto target = parse_ws_url("wss://wss-primary.slack.com/link/?ticket=1234-5678&app_id=A111");
    REQUIRE(target);
    CHECK(target->tls);
    CHECK(target->host == "wss-primary.slack.com");
    CHECK(target->port == "443");
    CHECK(target->target == "/link/?ticket=1234-5678&app_id=A111");
}

TEST_CASE("plain ws:// is accepted for loopback hosts only", "[socket_mode]") {
    auto local = parse_ws_url("ws://127.0.0.1:4567/link/?ticket=t");
    REQUIRE(local);
    CHECK_FALSE(local->tls);
    CHECK(local->port == "4567");
    CHECK(parse_ws_url("ws://localhost/link/"));
    auto remote = parse_ws_url("ws://wss-primary.slack.com/link/?ticket=t");
    REQUIRE_FALSE(remote);
    CHECK(remote.error().kind == opsbot::error_kind::invalid_input);
}

TEST_CASE("other schemes and garbage are refused", "[socket_mode]") {
    CHECK_FALSE(parse_ws_url("https://slack.com/link/"));
    CHECK_FALSE(parse_ws_url("not a url"));
    CHECK_FALSE(parse_ws_url(""));
}
