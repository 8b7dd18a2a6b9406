#include "bot/slack/envelope_dedupe.hpp"

#include <catch2/catch.hpp>

using opsbot::bot::envelope_dedupe;

TEST_CASE("a key seen before makes the envelope a duplicate", "[socket_mode]") {
    envelope_dedupe seen(10);
    CHECK(seen.insert_if_new({"envelope:a"}));
    CHECK_FALSE(seen.insert_if_new({"envelope:a"}));
    CHECK(seen.insert_if_new({"envelope:b", "event:Ev1"}));
    CHECK_FALSE(seen.insert_if_new({"envelope:c", "event:Ev1"}));  // retry under a new envelope id
    CHECK(seen.contains("envelope:c"));
}

TEST_CASE("the oldest keys are forgotten beyond the capacity", "[socket_mode]") {
    envelope_dedupe seen(3);
    for (auto key : {"a", "b", "c", "d"}) {
        CHECK(seen.insert_if_new({key}));
    }
    CHECK(seen.size() == 3);
    CHECK_FALSE(seen.contains("a"));
    CHECK(seen.contains("d"));
    CHECK(seen.insert_if_new({"a"}));
}

TEST_CASE("erased keys count as new again", "[socket_mode]") {
    envelope_dedupe seen(5);
    CHECK(seen.insert_if_new({"x", "y"}));
    seen.erase({"x", "y"});
    CHECK(seen.size() == 0);
    CHECK(seen.insert_if_new({"x", "y"}));
}
