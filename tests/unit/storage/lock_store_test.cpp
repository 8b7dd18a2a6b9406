#include <catch2/catch.hpp>

#include <future>

#include "fixture.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

TEST_CASE("a lock is claimed once, a second claimer is told who holds it") {
    testing::stores s;
    auto until = s.clock.now() + 10min;
    auto first = s.locks.claim("web", "production", "A-1", "rollback web production", until);
    REQUIRE(first);
    CHECK(first->acquired_at == s.clock.now());
    auto second = s.locks.claim("web", "production", "U02", "hotfix", until);
    REQUIRE_FALSE(second);
    CHECK(second.error().kind == error_kind::conflict);
    CHECK(second.error().message.find("locked by A-1") != std::string::npos);
    CHECK(second.error().message.find("rollback web production") != std::string::npos);
    // Other services and environments are independent.
    CHECK(s.locks.claim("web", "staging", "U02", "hotfix", until));
    CHECK(s.locks.claim("api", "production", "U02", "hotfix", until));
    auto active = s.locks.list_active();
    REQUIRE(active->size() == 3);
    CHECK((*active)[1].owner == "A-1");  // ordered by service, environment
}

TEST_CASE("the same owner claiming again renews the lease") {
    testing::stores s;
    REQUIRE(s.locks.claim("api", "production", "U02", "first", s.clock.now() + 5min));
    s.clock.advance(1min);
    auto renewed = s.locks.claim("api", "production", "U02", "second", s.clock.now() + 30min);
    REQUIRE(renewed);
    CHECK(renewed->reason == "second");
    auto active = s.locks.list_active();
    REQUIRE(active->size() == 1);
    CHECK(active->front().expires_at == s.clock.now() + 30min);
    CHECK(active->front().acquired_at == s.clock.now() - 1min);
}

TEST_CASE("an expired lock may be taken over, audited") {
    testing::stores s;
    REQUIRE(s.locks.claim("web", "production", "U02", "manual", s.clock.now() + 5min));
    s.clock.advance(4min);
    CHECK_FALSE(s.locks.claim("web", "production", "U03", "mine", s.clock.now() + 5min));
    s.clock.advance(1min);  // exactly at expiry: no longer held
    CHECK(s.locks.list_active()->empty());
    auto taken = s.locks.claim("web", "production", "U03", "mine", s.clock.now() + 5min);
    REQUIRE(taken);
    CHECK(s.locks.list_active()->front().owner == "U03");
    auto entries = s.audit.entries();
    REQUIRE(entries->size() == 3);
    CHECK((*entries)[1].event == "lock.taken_over");
    CHECK((*entries)[1].detail_json.find("\"new_owner\":\"U03\"") != std::string::npos);
    CHECK((*entries)[2].event == "lock.claimed");
}

TEST_CASE("release: only the owner, nothing held is not_found") {
    testing::stores s;
    REQUIRE(s.locks.claim("web", "production", "U02", "manual", s.clock.now() + 5min));
    auto stranger = s.locks.release("web", "production", "U03");
    REQUIRE_FALSE(stranger);
    CHECK(stranger.error().kind == error_kind::forbidden);
    CHECK(s.locks.list_active()->size() == 1);
    REQUIRE(s.locks.release("web", "production", "U02"));
    CHECK(s.locks.list_active()->empty());
    auto none = s.locks.release("web", "production", "U02");
    REQUIRE_FALSE(none);
    CHECK(none.error().kind == error_kind::not_found);
}

TEST_CASE("a claim must expire in the future and name what it locks") {
    testing::stores s;
    CHECK(s.locks.claim("web", "production", "U02", "x", s.clock.now()).error().kind == error_kind::invalid_input);
    CHECK(s.locks.claim("", "production", "U02", "x", s.clock.now() + 1min).error().kind ==
          error_kind::invalid_input);
    CHECK(s.locks.list_active()->empty());
}

TEST_CASE("release_for_action and terminal transitions free the action's locks") {
    testing::stores s;
    action_id id = s.request();
    REQUIRE(s.locks.claim("web", "production", id.str(), "rollback", s.clock.now() + 10min));
    REQUIRE(s.locks.claim("web", "staging", id.str(), "rollback", s.clock.now() + 10min));
    REQUIRE(s.locks.claim("api", "production", "U09", "other", s.clock.now() + 10min));

    SECTION("explicitly") {
        auto released = s.locks.release_for_action(id);
        REQUIRE(released->size() == 2);
    }
    SECTION("by reaching a terminal state") {
        REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
        REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
        CHECK(s.locks.list_active()->size() == 3);  // running still holds them
        REQUIRE(s.actions.transition(id, action_state::running, action_state::failed, "opsbot"));
    }
    auto active = s.locks.list_active();
    REQUIRE(active->size() == 1);
    CHECK(active->front().owner == "U09");
    auto mine = s.audit.for_action(id);
    int released = 0;
    for (const auto& e : *mine) {
        released += e.event == "lock.released" ? 1 : 0;
    }
    CHECK(released == 2);
}

TEST_CASE("two connections claiming the same lock at once: exactly one wins") {
    testing::temp_db_path path;
    testing::stores a(path.str());
    testing::stores b(path.str());
    for (int round = 0; round < 25; ++round) {
        std::string service = "svc" + std::to_string(round);
        std::promise<void> go;
        std::shared_future<void> start = go.get_future().share();
        auto claim = [&](testing::stores& s, std::string owner) {
            return std::async(std::launch::async, [&s, &start, service, owner] {
                start.wait();
                return s.locks.claim(service, "production", owner, "race", s.clock.now() + 1min).has_value();
            });
        };
        auto x = claim(a, "U02");
        auto y = claim(b, "U03");
        go.set_value();
        CHECK((x.get() ? 1 : 0) + (y.get() ? 1 : 0) == 1);
    }
    CHECK(a.locks.list_active()->size() == 25);
    CHECK(b.audit.verify()->ok());
}

TEST_CASE("release_as_approver: another person's freeze, or a lock whose action ended or never was, audited") {
    testing::stores s;
    const auto until = s.clock.now() + 1h;
    REQUIRE(s.locks.claim("web", "production", "U01", "freeze for the demo", until));
    auto freeze = s.locks.release_as_approver("web", "production", "U03");
    REQUIRE(freeze);
    CHECK(freeze->owner == "U01");
    auto last = s.audit.tail(1);
    REQUIRE(last->size() == 1);
    CHECK(last->front().event == "lock.released_by_approver");
    CHECK(last->front().actor == "U03");  // who released it …
    CHECK(last->front().detail_json.find("\"owner\":\"U01\"") != std::string::npos);  // … and whose it was

    // An action that ended (its terminal transition would have freed it; here it survived, e.g. a crash).
    action_id ended = s.request();
    REQUIRE(s.actions.transition(ended, action_state::awaiting_approval, action_state::denied, "U02"));
    REQUIRE(s.locks.claim("api", "production", ended.str(), "rollback api", until));
    auto gone = s.locks.release_as_approver("api", "production", "U03");
    REQUIRE(gone);
    CHECK(s.audit.tail(1)->front().detail_json.find("its action ended denied") != std::string::npos);

    // No such action.
    REQUIRE(s.locks.claim("api", "staging", "A-99", "rollback api", until));
    REQUIRE(s.locks.release_as_approver("api", "staging", "U03"));
    CHECK(s.audit.tail(1)->front().detail_json.find("no such action") != std::string::npos);
    CHECK(s.locks.list_active()->empty());
}

TEST_CASE("release_as_approver: a lock of an action still running is refused and nothing changes") {
    testing::stores s;
    action_id running = s.request();
    REQUIRE(s.actions.transition(running, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(s.actions.transition(running, action_state::approved, action_state::running, "opsbot"));
    REQUIRE(s.locks.claim("web", "production", running.str(), "rollback web", s.clock.now() + 1h));
    auto refused = s.locks.release_as_approver("web", "production", "U03");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::forbidden);
    CHECK(refused.error().message.find("Stop button") != std::string::npos);
    CHECK(s.locks.list_active()->size() == 1);
    CHECK_FALSE(s.locks.release_as_approver("web", "staging", "U03"));  // nothing held: not_found
}
