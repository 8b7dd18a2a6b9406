// What the Stop button and the executor share (bot/action_flow_controls.hpp): a stop asked once, seen by the
// executor before the next step. (A stop of a person's wait takes the stored wait: integration.person_wait.)
#include "bot/action_flow_controls.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::bot;

TEST_CASE("a stop is asked once, by whom it is remembered, and forgotten when the run ends") {
    run_controls c;
    CHECK_FALSE(c.stop_requested("A-1"));
    CHECK(c.request_stop("A-1", "U02"));
    CHECK_FALSE(c.request_stop("A-1", "U03"));
    CHECK(c.stop_requested("A-1") == "U02");
    CHECK_FALSE(c.stop_requested("A-2"));
    c.forget("A-1");
    CHECK_FALSE(c.stop_requested("A-1"));
}
