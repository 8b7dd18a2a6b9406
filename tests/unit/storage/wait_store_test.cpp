// storage/wait_store: a step that waits for a person is a row, not a thread (docs/design.md "Actions and steps"):
// one wait per action and per key, taken back exactly once, listed by deadline, and kept across a restart (the
// action is not reported interrupted while it waits).
#include <catch2/catch.hpp>

#include <future>

#include "fixture.hpp"
#include "storage/wait_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

person_wait wait_of(const action_id& id, const std::string& key, clock::time_point deadline) {
    person_wait w;
    w.action = id;
    w.step_index = 0;
    w.key = key;
    w.requester = "U01";
    w.deadline = deadline;
    w.memo = {{"before", {{"api", "3fa9c1d2e4b5"}}}};
    return w;
}

/// A request approved by U02 and started: running, as the executor leaves it.
action_id running_action(testing::stores& s) {
    auto id = s.request();
    REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
    return id;
}

}  // namespace

TEST_CASE("a stored wait is read back by action and by key with its step, deadline and memo") {
    testing::stores s;
    wait_store waits(s.db, s.clock);
    auto id = running_action(s);
    const auto deadline = s.clock.now() + 4h;
    REQUIRE(waits.put(wait_of(id, "SENTRY_DSN", deadline)));

    auto got = waits.get(id);
    REQUIRE(got);
    REQUIRE(*got);
    CHECK((*got)->key == "SENTRY_DSN");
    CHECK((*got)->requester == "U01");
    CHECK((*got)->deadline == deadline);
    CHECK((*got)->memo.at("before").as_object().at("api").as_string() == "3fa9c1d2e4b5");
    auto by_key = waits.by_key("SENTRY_DSN");
    REQUIRE(by_key);
    REQUIRE(*by_key);
    CHECK((*by_key)->action == id);
    auto none = waits.by_key("SENTRY_AUTH_TOKEN");
    REQUIRE(none);
    CHECK_FALSE(*none);
}

TEST_CASE("one wait per action and per key, and none for an unknown action") {
    testing::stores s;
    wait_store waits(s.db, s.clock);
    auto first = running_action(s);
    auto second = running_action(s);
    REQUIRE(waits.put(wait_of(first, "SENTRY_DSN", s.clock.now() + 4h)));

    auto again = waits.put(wait_of(first, "SENTRY_AUTH_TOKEN", s.clock.now() + 4h));
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == error_kind::conflict);
    auto same_key = waits.put(wait_of(second, "SENTRY_DSN", s.clock.now() + 4h));
    REQUIRE_FALSE(same_key);
    CHECK(same_key.error().kind == error_kind::conflict);
    CHECK(same_key.error().message.find(first.str()) != std::string::npos);
    auto unknown = waits.put(wait_of(action_id{"A-99"}, "X", s.clock.now() + 4h));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().kind == error_kind::not_found);
}

TEST_CASE("a wait is taken back exactly once, even by racing callers") {
    testing::stores s;
    wait_store waits(s.db, s.clock);
    auto id = running_action(s);
    REQUIRE(waits.put(wait_of(id, "SENTRY_DSN", s.clock.now() + 4h)));

    // A continue and a Stop racing for the same wait: one of them ends it.
    auto a = std::async(std::launch::async, [&] { return waits.take(id); });
    auto b = std::async(std::launch::async, [&] { return waits.take(id); });
    auto ra = a.get();
    auto rb = b.get();
    REQUIRE(ra);
    REQUIRE(rb);
    CHECK((*ra ? 1 : 0) + (*rb ? 1 : 0) == 1);
    auto gone = waits.get(id);
    REQUIRE(gone);
    CHECK_FALSE(*gone);
    // The key is free for the next rotation of the same secret.
    auto next = running_action(s);
    CHECK(waits.put(wait_of(next, "SENTRY_DSN", s.clock.now() + 4h)));
}

TEST_CASE("due lists the waits whose deadline passed by the injected clock, earliest first") {
    testing::stores s;
    wait_store waits(s.db, s.clock);
    auto late = running_action(s);
    auto soon = running_action(s);
    REQUIRE(waits.put(wait_of(late, "SENTRY_DSN", s.clock.now() + 4h)));
    REQUIRE(waits.put(wait_of(soon, "SENTRY_AUTH_TOKEN", s.clock.now() + 1h)));

    auto none = waits.due(s.clock.now());
    REQUIRE(none);
    CHECK(none->empty());
    s.clock.advance(1h);
    auto one = waits.due(s.clock.now());
    REQUIRE(one);
    REQUIRE(one->size() == 1);
    CHECK(one->front().action == soon);
    s.clock.advance(3h);
    auto both = waits.due(s.clock.now());
    REQUIRE(both);
    REQUIRE(both->size() == 2);
    CHECK(both->front().action == soon);
    CHECK(both->back().action == late);
    auto all = waits.all();
    REQUIRE(all);
    CHECK(all->size() == 2);
}

TEST_CASE("at start-up a running action that waits for a person is not interrupted, one that acted is") {
    testing::stores s;
    wait_store waits(s.db, s.clock);
    auto waiting = running_action(s);
    auto acting = running_action(s);
    REQUIRE(waits.put(wait_of(waiting, "SENTRY_DSN", s.clock.now() + 4h)));

    auto interrupted = s.actions.mark_interrupted_at_startup();
    REQUIRE(interrupted);
    REQUIRE(interrupted->size() == 1);
    CHECK(interrupted->front().id == acting);
    CHECK(s.state_of(waiting) == "running");
    CHECK(s.state_of(acting) == "interrupted");
    auto still = waits.get(waiting);
    REQUIRE(still);
    CHECK(*still);
}
