#include "config/config.hpp"

#include <catch2/catch.hpp>

using opsbot::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations with one unit", "[duration]") {
    CHECK(parse_duration("30s") == std::chrono::seconds{30s});
    CHECK(parse_duration("15m") == std::chrono::seconds{15min});
    CHECK(parse_duration("2h") == std::chrono::seconds{2h});
    CHECK(parse_duration("1d") == std::chrono::seconds{24h});
    CHECK(parse_duration("0s") == std::chrono::seconds{0});
}

TEST_CASE("durations combine units", "[duration]") {
    CHECK(parse_duration("1h30m") == std::chrono::seconds{90min});
    CHECK(parse_duration("1d2h3m4s") == std::chrono::seconds{24h + 2h + 3min + 4s});
}

TEST_CASE("malformed durations are refused", "[duration]") {
    for (const char* bad :
         {"", "15", "m", "15x", "15 m", " 15m", "15m ", "-5m", "1.5h", "15M", "h1", "99999999999999999999s"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}
