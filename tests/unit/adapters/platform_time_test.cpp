// The timestamps the platforms send (Sentry firstSeen, Railway createdAt, BetterStack last_checked_at), read by
// parse_utc_iso8601 (adapters/sentry.hpp). The ordinary forms are covered with the Sentry adapter
// (tests/integration/sentry_adapter_test.cpp); here, what the fuzzers found. Also a Retry-After date (RFC 9110).
#include "adapters/http_retry.hpp"
#include "adapters/sentry.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::adapters;

TEST_CASE("a platform timestamp outside the clock's years is no time, not an overflow (found by fuzz)",
          "[platform_time]") {
    // clock::time_point holds 1677-09-21 to 2262-04-11: converting year 9999 overflowed (undefined behaviour).
    CHECK_FALSE(parse_utc_iso8601("9999-12-31T23:59:59Z"));
    CHECK_FALSE(parse_utc_iso8601("0001-01-01T00:00:00Z"));
    CHECK_FALSE(parse_utc_iso8601("-001-01-01T00:00:00Z"));
    CHECK_FALSE(parse_utc_iso8601("2262-04-12T00:00:00Z"));
    auto late = parse_utc_iso8601("2261-12-31T23:59:59Z");
    REQUIRE(late);
    CHECK(format_utc_iso8601(*late) == "2261-12-31T23:59:59Z");
    auto early = parse_utc_iso8601("1678-01-01T00:00:00Z");
    REQUIRE(early);
    CHECK(format_utc_iso8601(*early) == "1678-01-01T00:00:00Z");
}

TEST_CASE("a Retry-After date far off waits a day at most, and one far back nothing (found by fuzz)", "[platform_time]") {
    // fuzz/crashes/url/: "Wed, 21 Oct 2815 07:28:00 GMT" overflowed the clock's nanoseconds (undefined behaviour).
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'790'000'000}};
    CHECK(parse_retry_after("Wed, 21 Oct 2815 07:28:00 GMT", now) == std::chrono::hours{24});
    CHECK(parse_retry_after("Wed, 21 Oct 1015 07:28:00 GMT", now) == std::chrono::milliseconds{0});
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == std::chrono::milliseconds{0});
    // 2026-09-21T14:13:20Z is `now`; two minutes later waits two minutes.
    CHECK(parse_retry_after("Mon, 21 Sep 2026 14:15:20 GMT", now) == std::chrono::minutes{2});
}
