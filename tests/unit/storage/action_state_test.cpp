#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "fixture.hpp"
#include "storage/action_state.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using enum opsbot::storage::action_state;

namespace {

// The documented table, written out independently of can_transition().
const std::set<std::pair<action_state, action_state>> legal{
    {awaiting_approval, approved}, {awaiting_approval, denied}, {awaiting_approval, cancelled},
    {awaiting_approval, expired},  {approved, running},         {approved, failed},
    {approved, interrupted},       {running, succeeded},        {running, failed},
    {running, interrupted},        {running, stopped},
};

// A legal path from awaiting_approval to each state.
const std::map<action_state, std::vector<action_state>> path_to{
    {awaiting_approval, {}},
    {approved, {approved}},
    {running, {approved, running}},
    {succeeded, {approved, running, succeeded}},
    {failed, {approved, running, failed}},
    {denied, {denied}},
    {cancelled, {cancelled}},
    {expired, {expired}},
    {interrupted, {approved, running, interrupted}},
    {stopped, {approved, running, stopped}},
};

}  // namespace

TEST_CASE("action states round-trip through their stored names") {
    for (action_state s : all_action_states) {
        REQUIRE(parse_action_state(to_string(s)) == s);
    }
    CHECK_FALSE(parse_action_state("Approved").has_value());
    CHECK_FALSE(parse_action_state("").has_value());
}

TEST_CASE("can_transition is exactly the documented table") {
    for (action_state from : all_action_states) {
        for (action_state to : all_action_states) {
            INFO(to_string(from) << " -> " << to_string(to));
            CHECK(can_transition(from, to) == legal.contains({from, to}));
        }
    }
    for (action_state s : {succeeded, failed, denied, cancelled, expired, interrupted, stopped}) {
        CHECK(is_terminal(s));
    }
    for (action_state s : {awaiting_approval, approved, running}) {
        CHECK_FALSE(is_terminal(s));
    }
}

TEST_CASE("the store refuses every illegal transition and allows every legal one") {
    testing::stores s;
    for (action_state from : all_action_states) {
        for (action_state to : all_action_states) {
            INFO(to_string(from) << " -> " << to_string(to));
            action_id id = s.request();
            action_state at = awaiting_approval;
            for (action_state step : path_to.at(from)) {
                REQUIRE(s.actions.transition(id, at, step, "U02"));
                at = step;
            }
            auto moved = s.actions.transition(id, from, to, "U02");
            if (legal.contains({from, to})) {
                CHECK(moved.has_value());
                CHECK(s.state_of(id) == to_string(to));
            } else {
                REQUIRE_FALSE(moved.has_value());
                CHECK(moved.error().kind == error_kind::conflict);
                CHECK(s.state_of(id) == to_string(from));
            }
        }
    }
}

TEST_CASE("raw SQL cannot make an illegal transition: the trigger matches the table") {
    testing::stores s;
    for (action_state from : all_action_states) {
        for (action_state to : all_action_states) {
            INFO(to_string(from) << " -> " << to_string(to));
            action_id id = s.request();
            std::string seq = id.str().substr(2);
            for (action_state step : path_to.at(from)) {
                s.raw("UPDATE actions SET state = '" + std::string(to_string(step)) + "' WHERE seq = " + seq);
            }
            std::string update = "UPDATE actions SET state = '" + std::string(to_string(to)) + "' WHERE seq = " + seq;
            if (can_transition(from, to)) {
                CHECK_NOTHROW(s.raw(update));
                CHECK(s.state_of(id) == to_string(to));
            } else {
                CHECK_THROWS_WITH(s.raw(update), Catch::Contains("illegal action state transition"));
                CHECK(s.state_of(id) == to_string(from));
            }
        }
    }
}

TEST_CASE("raw SQL cannot insert an action in a later state, rewrite its plan or delete it") {
    testing::stores s;
    action_id id = s.request();
    CHECK_THROWS_WITH(s.raw("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, "
                            "required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms) VALUES "
                            "('rollback', 'x', 'U01', 'C01', '{}', 'd', 1, 'approved', 0, 0, 0)"),
                      Catch::Contains("awaiting_approval"));
    CHECK_THROWS_WITH(s.raw("UPDATE actions SET plan_digest = 'other' WHERE seq = 1"), Catch::Contains("immutable"));
    CHECK_THROWS_WITH(s.raw("UPDATE actions SET requester = 'U02' WHERE seq = 1"), Catch::Contains("immutable"));
    CHECK_THROWS(s.raw("DELETE FROM actions WHERE seq = 1"));
    CHECK(s.actions.get(id)->plan_digest == "digest-1");
}

TEST_CASE("a transition from a state the action is no longer in is a conflict that changes nothing") {
    testing::stores s;
    action_id id = s.request();
    auto stale = s.actions.transition(id, running, succeeded, "opsbot");
    REQUIRE_FALSE(stale);
    CHECK(stale.error().kind == error_kind::conflict);
    CHECK(stale.error().message.find("awaiting_approval") != std::string::npos);
    CHECK(s.state_of(id) == "awaiting_approval");
}

TEST_CASE("transitions on unknown or malformed ids are not_found") {
    testing::stores s;
    s.request();
    for (const char* bad : {"A-99", "A-0", "A-", "B-1", "A-1x", "A--1", ""}) {
        INFO(bad);
        auto r = s.actions.transition(action_id{bad}, awaiting_approval, approved, "U02");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::not_found);
    }
}
