#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "fixture.hpp"
#include "storage/canonical_json.hpp"
#include "storage/seen_envelopes.hpp"
#include "storage/time_format.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

TEST_CASE("canonical JSON sorts keys at every depth and has no whitespace") {
    auto a = boost::json::parse(R"({ "b": 1, "a": {"z": [3, {"y": null, "x": true}], "c": "q\"uote"} })");
    auto b = boost::json::parse(R"({"a":{"c":"q\"uote","z":[3,{"x":true,"y":null}]},"b":1})");
    CHECK(canonical_json(a) == R"({"a":{"c":"q\"uote","z":[3,{"x":true,"y":null}]},"b":1})");
    CHECK(canonical_json(a) == canonical_json(b));
    CHECK(canonical_json(boost::json::parse("[2,1]")) != canonical_json(boost::json::parse("[1,2]")));
    CHECK(canonical_json(boost::json::object{}) == "{}");
}

TEST_CASE("sha256_hex matches the standard test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a stored time beyond the clock's range reads as the clock's end, not an overflow") {
    // A lock written to never expire (schema-7 databases hold 999999999999999 ms, year 33658).
    CHECK(from_unix_ms(999'999'999'999'999) == opsbot::clock::time_point::max());
    CHECK(from_unix_ms(-999'999'999'999'999) == opsbot::clock::time_point::min());
    CHECK(to_unix_ms(from_unix_ms(9'000'000'000'000)) == 9'000'000'000'000);  // year 2255: still exact
}

TEST_CASE("ISO-8601 times format with milliseconds and parse in the accepted forms") {
    auto t = from_unix_ms(1'790'000'004'123);
    CHECK(format_iso8601_ms(t) == "2026-09-21T14:13:24.123Z");
    CHECK(to_unix_ms(t) == 1'790'000'004'123);
    CHECK(*parse_iso8601("2026-09-21T14:13:24.123Z") == t);
    CHECK(*parse_iso8601("2026-09-21T16:13:24.123+02:00") == t);
    CHECK(*parse_iso8601("2026-09-21T13:13:24.123-01:00") == t);
    CHECK(*parse_iso8601("2026-09-21T14:13:24.1234567Z") == t);
    CHECK(*parse_iso8601("2026-09-21T14:13Z") == from_unix_ms(1'790'000'004'123 - 24'123));
    CHECK(*parse_iso8601("2026-09-21") == from_unix_ms(1'790'000'004'123 - (14 * 3600 + 13 * 60 + 24) * 1000 - 123));
    CHECK(format_iso8601_ms(from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
    for (const char* bad : {"", "2026", "2026-02-30", "2026-09-21T14:13:24", "2026-09-21T14:13:24.Z",
                            "2026-09-21T24:00Z", "2026-09-21T14:13:24Zjunk", "2026-09-21X14:13Z", "21/09/2026"}) {
        INFO(bad);
        auto r = parse_iso8601(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::invalid_input);
    }
}

TEST_CASE("stable canonical JSON reads back as itself, where plain canonical JSON may not (found by fuzz/audit)") {
    const boost::json::value value = boost::json::object{{"ratio", 2.2e39}, {"small", 0.1}};
    const std::string stable = stable_canonical_json(value);
    CHECK(canonical_json(boost::json::parse(stable)) == stable);
    // Values the parser reads exactly keep their plain canonical text.
    const auto plain = boost::json::parse(R"({"b":[1,2.5,{"z":null,"a":true}],"a":"x"})");
    CHECK(stable_canonical_json(plain) == canonical_json(plain));
}

TEST_CASE("ISO-8601 times outside the clock's years are refused, not overflowed (found by fuzz/audit)") {
    // A clock::time_point holds 1677-09-21 to 2262-04-11; `audit export --since 9999-12-31` overflowed (UB).
    for (const char* far : {"9999-12-31", "0000-01-01", "2262-04-12T00:00Z", "1677-01-01T00:00:00Z"}) {
        INFO(far);
        auto r = parse_iso8601(far);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::invalid_input);
        CHECK(r.error().message.find("out of range") != std::string::npos);
    }
    CHECK(format_iso8601_ms(*parse_iso8601("2261-12-31T23:59:59.999Z")) == "2261-12-31T23:59:59.999Z");
    CHECK(format_iso8601_ms(*parse_iso8601("1678-01-01")) == "1678-01-01T00:00:00.000Z");
}

TEST_CASE("seen envelopes: a delivery is new only when none of its keys was seen, and all of them are remembered") {
    manual_clock clock;
    database db(":memory:");
    seen_envelopes seen(db, clock);
    CHECK(*seen.first_sighting(std::vector<std::string>{"envelope:e1", "event:Ev1"}));
    // A retry of the event under a new envelope id: not new, and its envelope id is remembered as well.
    CHECK_FALSE(*seen.first_sighting(std::vector<std::string>{"envelope:e2", "event:Ev1"}));
    CHECK_FALSE(*seen.first_sighting("envelope:e2"));
    CHECK(*seen.first_sighting(std::vector<std::string>{"envelope:e3"}));
    CHECK(seen.first_sighting(std::vector<std::string>{}).error().kind == error_kind::invalid_input);
    CHECK(seen.first_sighting(std::vector<std::string>{"envelope:e4", ""}).error().kind == error_kind::invalid_input);
    CHECK(*seen.first_sighting("envelope:e4"));  // the refused call remembered nothing
}

TEST_CASE("seen envelopes: first sighting once, remembered across restarts, forgotten after the TTL") {
    testing::temp_db_path path;
    manual_clock clock;
    {
        database db(path.str());
        seen_envelopes seen(db, clock);
        CHECK(*seen.first_sighting("env-1"));
        CHECK_FALSE(*seen.first_sighting("env-1"));
        CHECK(*seen.first_sighting("env-2"));
        CHECK(seen.first_sighting("").error().kind == error_kind::invalid_input);
    }
    database db(path.str());
    seen_envelopes seen(db, clock);
    CHECK_FALSE(*seen.first_sighting("env-1"));
    clock.advance(2h);
    CHECK(*seen.first_sighting("env-3"));
    CHECK(*seen.forget_older_than(1h) == 2);
    CHECK(*seen.first_sighting("env-1"));
    CHECK_FALSE(*seen.first_sighting("env-3"));
}
