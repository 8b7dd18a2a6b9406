// What the Stop button and the executor share (bot/action_flow_controls.hpp): a stop asked once, seen by the
// executor before the next step, and never lost between "about to wait for a person" and "waiting".
#include "bot/action_flow_controls.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::bot;

TEST_CASE("a stop is asked once, by whom it is remembered, and forgotten when the run ends") {
    run_controls c;
    CHECK_FALSE(c.stop_requested("A-1"));
    auto first = c.request_stop("A-1", "U02");
    CHECK(first.first);
    CHECK_FALSE(first.waiting_on);
    CHECK_FALSE(c.request_stop("A-1", "U03").first);
    CHECK(c.stop_requested("A-1") == "U02");
    CHECK_FALSE(c.stop_requested("A-2"));
    c.forget("A-1");
    CHECK_FALSE(c.stop_requested("A-1"));
}

TEST_CASE("a stop sees the wait it must wake, and a wait sees a stop asked before it") {
    run_controls c;
    std::string other;
    REQUIRE(c.begin_wait("A-1", "SENTRY_DSN", other) == run_controls::wait_start::ok);
    auto asked = c.request_stop("A-1", "U01");
    REQUIRE(asked.waiting_on);
    CHECK(*asked.waiting_on == "SENTRY_DSN");
    c.end_wait("A-1");

    c.request_stop("A-2", "U01");
    CHECK(c.begin_wait("A-2", "SENTRY_AUTH_TOKEN", other) == run_controls::wait_start::stopped);
}

TEST_CASE("two actions never wait for a person on the same secret at once") {
    run_controls c;
    std::string other;
    REQUIRE(c.begin_wait("A-1", "SENTRY_DSN", other) == run_controls::wait_start::ok);
    CHECK(c.begin_wait("A-2", "SENTRY_DSN", other) == run_controls::wait_start::busy);
    CHECK(other == "A-1");
    CHECK(c.begin_wait("A-2", "SENTRY_AUTH_TOKEN", other) == run_controls::wait_start::ok);
    c.end_wait("A-1");
    CHECK(c.begin_wait("A-3", "SENTRY_DSN", other) == run_controls::wait_start::ok);
}
