// The timestamps the platforms send (Sentry firstSeen, Railway createdAt, BetterStack last_checked_at), read by
// parse_utc_iso8601 (adapters/sentry.hpp). The ordinary forms are covered with the Sentry adapter
// (tests/integration/sentry_adapter_test.cpp); here, what fuzz/audit_fuzz.cpp found.
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
