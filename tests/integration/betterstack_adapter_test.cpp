// The BetterStack Uptime adapter against the loopback fake over real sockets (docs/platforms.md §5.2).
#include "adapters/betterstack.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_betterstack;
using opsbot::testing::fake_monitor;

namespace {

std::unique_ptr<http_client> test_client(std::chrono::milliseconds request_timeout = std::chrono::seconds(10)) {
    http_options options;
    options.max_attempts = 1;
    options.request_timeout = request_timeout;
    options.sleep = [](std::chrono::milliseconds) {};
    return make_http_client(options);
}

betterstack_config config_for(const fake_betterstack& fake) {
    betterstack_config c;
    c.api_url = fake.api_url();
    c.token_env = "BETTERSTACK_TOKEN";
    return c;
}

struct fixture {
    fake_betterstack fake;
    std::unique_ptr<http_client> http = test_client();
    std::unique_ptr<betterstack_monitors> uptime = make_betterstack_monitors(config_for(fake), fake.token(), *http);
};

}  // namespace

TEST_CASE("BetterStack: monitors with their status, a down monitor is reported", "[betterstack]") {
    fixture f;
    f.fake.set_monitors({{"1", "Web", "https://app.example.com", "up", "2026-11-26T10:00:00.000Z"},
                         {"2", "API health", "https://api.example.com/health", "down", "2026-11-26T10:00:30.000Z"},
                         {"3", "Docs", "https://docs.example.com", "paused", ""}});
    auto monitors = f.uptime->monitors();
    REQUIRE(monitors);
    REQUIRE(monitors->size() == 3);
    CHECK((*monitors)[0].id == "1");
    CHECK((*monitors)[0].name == "Web");
    CHECK((*monitors)[0].up());
    const auto& api = (*monitors)[1];
    CHECK(api.down());
    CHECK(api.status == "down");
    CHECK(api.name == "API health");
    CHECK(api.url == "https://api.example.com/health");
    CHECK(api.last_checked_at == "2026-11-26T10:00:30.000Z");
    CHECK((*monitors)[2].status == "paused");

    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].path == "/api/v2/monitors");
    CHECK(requests[0].query.at("per_page") == "250");
    CHECK(requests[0].header("Authorization") == "Bearer " + f.fake.token());
}

TEST_CASE("BetterStack: pagination.next is followed over three pages until null", "[betterstack]") {
    fixture f;
    f.fake.set_page_size(2);
    std::vector<fake_monitor> monitors;
    for (int i = 1; i <= 5; ++i) {
        monitors.push_back({std::to_string(i), "m" + std::to_string(i), "https://x/" + std::to_string(i),
                            i == 5 ? "down" : "up", ""});
    }
    f.fake.set_monitors(monitors);
    auto list = f.uptime->monitors();
    REQUIRE(list);
    REQUIRE(list->size() == 5);
    CHECK(list->back().id == "5");
    CHECK(list->back().down());
    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[1].query.at("page") == "2");
    CHECK(requests[2].query.at("page") == "3");
    for (const auto& r : requests) {
        CHECK(r.header("Authorization") == "Bearer " + f.fake.token());
    }
}

TEST_CASE("BetterStack: a next URL on another host is refused and gets no token", "[betterstack]") {
    fixture f;
    fake_betterstack elsewhere("another-token");
    f.fake.set_page_size(1);
    f.fake.set_monitors({{"1", "Web", "https://a", "up", ""}, {"2", "API", "https://b", "up", ""}});
    f.fake.set_link_origin(elsewhere.origin());
    auto list = f.uptime->monitors();
    REQUIRE_FALSE(list);
    CHECK(list.error().kind == error_kind::bad_response);
    CHECK(contains(list.error().message, "token is not sent"));
    CHECK(f.fake.requests().size() == 1);
    CHECK(elsewhere.requests().empty());
}

TEST_CASE("BetterStack: errors", "[betterstack]") {
    fixture f;
    SECTION("a refused token is an auth error that names the setting, not the token") {
        auto uptime = make_betterstack_monitors(config_for(f.fake), "bs_wrong_value", *f.http);
        auto list = uptime->monitors();
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::auth);
        CHECK(list.error().message == "BetterStack refused the token (401): check monitoring.betterstack.token_env");
    }
    SECTION("malformed JSON is bad_response naming the service and endpoint") {
        f.fake.knobs().malformed_next();
        auto list = f.uptime->monitors();
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
        CHECK(contains(list.error().message, "BetterStack"));
        CHECK(contains(list.error().message, "/monitors"));
    }
    SECTION("an array where the JSON:API object is expected is bad_response") {
        f.fake.knobs().fail_next(200, R"([{"id":"1"}])");
        auto list = f.uptime->monitors();
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
    }
    SECTION("a monitor without attributes is bad_response") {
        f.fake.knobs().fail_next(200, R"({"data":[{"id":"1","type":"monitor"}],"pagination":{"next":null}})");
        auto list = f.uptime->monitors();
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
    }
    SECTION("a wrong api_url path is not_found") {
        auto config = config_for(f.fake);
        config.api_url = f.fake.origin() + "/api/v9/";
        auto uptime = make_betterstack_monitors(config, f.fake.token(), *f.http);
        auto list = uptime->monitors();
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::not_found);
    }
}

TEST_CASE("BetterStack: a server that does not answer gives a timeout error", "[betterstack]") {
    fake_betterstack fake;
    auto http = test_client(std::chrono::milliseconds(300));
    auto uptime = make_betterstack_monitors(config_for(fake), fake.token(), *http);
    fake.knobs().block();
    auto list = uptime->monitors();
    fake.knobs().release();
    REQUIRE_FALSE(list);
    CHECK(list.error().kind == error_kind::timeout);
    CHECK(contains(list.error().message, "BetterStack"));
}
