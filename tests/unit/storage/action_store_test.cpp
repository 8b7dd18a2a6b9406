#include <catch2/catch.hpp>

#include "fixture.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

TEST_CASE("action ids are sequential and the request is stored and audited") {
    testing::stores s;
    auto t0 = s.clock.now();
    CHECK(s.request() == action_id{"A-1"});
    CHECK(s.request(2) == action_id{"A-2"});
    CHECK(s.request() == action_id{"A-3"});
    auto a = s.actions.get(action_id{"A-2"});
    REQUIRE(a);
    CHECK(a->family == "rollback");
    CHECK(a->subject == "rollback web production");
    CHECK(a->requester == user_id{"U01"});
    CHECK(a->channel == channel_id{"C01"});
    CHECK_FALSE(a->message_ts.has_value());
    CHECK(a->plan_json == R"({"steps":["promote dpl_2"]})");
    CHECK(a->plan_digest == "digest-1");
    CHECK(a->required_approvals == 2);
    CHECK(a->state == action_state::awaiting_approval);
    CHECK(a->created_at == t0);
    CHECK(a->expires_at == t0 + 15min);
    auto log = s.audit.for_action(action_id{"A-2"});
    REQUIRE(log->size() == 1);
    CHECK(log->front().event == "action.requested");
    CHECK(log->front().actor == "U01");
    CHECK(log->front().detail_json.find("\"required_approvals\":2") != std::string::npos);
}

TEST_CASE("bad requests are refused before touching the database") {
    testing::stores s;
    new_action a;
    a.family = "rollback";
    a.requester = user_id{"U01"};
    a.channel = channel_id{"C01"};
    a.plan_digest = "d";
    a.required_approvals = 0;
    CHECK(s.actions.create(a).error().kind == error_kind::invalid_input);
    a.required_approvals = 1;
    a.requester = user_id{};
    CHECK(s.actions.create(a).error().kind == error_kind::invalid_input);
    CHECK(s.audit.entries()->empty());
}

TEST_CASE("ids are never reused, even after a restart") {
    testing::temp_db_path path;
    {
        testing::stores s(path.str());
        s.request();
        s.request();
    }
    testing::stores s(path.str());
    CHECK(s.request() == action_id{"A-3"});
}

TEST_CASE("set_message remembers where the plan was posted") {
    testing::stores s;
    action_id id = s.request();
    REQUIRE(s.actions.set_message(id, channel_id{"C02"}, "1712345678.000100"));
    auto a = s.actions.get(id);
    CHECK(a->channel == channel_id{"C02"});
    CHECK(a->message_ts == "1712345678.000100");
    CHECK(s.actions.set_message(action_id{"A-9"}, channel_id{"C02"}, "1.2").error().kind == error_kind::not_found);
}

TEST_CASE("transitions are audited with from, to and the caller's detail") {
    testing::stores s;
    action_id id = s.request();
    REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot", {{"step", 1}}));
    auto log = s.audit.for_action(id);
    REQUIRE(log->size() == 3);
    CHECK(log->back().event == "action.running");
    CHECK(log->back().detail_json == R"({"from":"approved","step":1,"to":"running"})");
    CHECK(s.actions.list_running()->size() == 1);
}

TEST_CASE("the sweeper expires only requests past their expiry") {
    testing::stores s;
    action_id early = s.request();
    s.clock.advance(10min);
    action_id late = s.request();
    action_id approved = s.request();
    REQUIRE(s.actions.transition(approved, action_state::awaiting_approval, action_state::approved, "U02"));
    CHECK(s.actions.sweep_expired()->empty());
    s.clock.advance(5min);  // early is exactly at expiry
    auto swept = s.actions.sweep_expired();
    REQUIRE(swept->size() == 1);
    CHECK(swept->front().id == early);
    CHECK(swept->front().state == action_state::expired);
    CHECK(s.state_of(early) == "expired");
    CHECK(s.state_of(late) == "awaiting_approval");
    CHECK(s.state_of(approved) == "approved");
    CHECK(s.actions.sweep_expired()->empty());
    CHECK(s.audit.for_action(early)->back().event == "action.expired");
}

TEST_CASE("at start-up running and approved actions become interrupted, their locks released") {
    testing::temp_db_path path;
    action_id running, approved, waiting, done;
    {
        testing::stores s(path.str());
        running = s.request();
        approved = s.request();
        waiting = s.request();
        done = s.request();
        for (const auto& id : {running, approved, done}) {
            REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
        }
        for (const auto& id : {running, done}) {
            REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
        }
        REQUIRE(s.actions.transition(done, action_state::running, action_state::succeeded, "opsbot"));
        REQUIRE(s.locks.claim("web", "production", running.str(), "rollback", s.clock.now() + 1h));
        REQUIRE(s.locks.claim("api", "production", "U05", "manual", s.clock.now() + 1h));
    }  // the process "dies" here
    testing::stores s(path.str());
    auto interrupted = s.actions.mark_interrupted_at_startup();
    REQUIRE(interrupted->size() == 2);
    CHECK((*interrupted)[0].id == running);
    CHECK((*interrupted)[1].id == approved);
    CHECK((*interrupted)[0].state == action_state::interrupted);
    CHECK(s.state_of(running) == "interrupted");
    CHECK(s.state_of(approved) == "interrupted");
    CHECK(s.state_of(waiting) == "awaiting_approval");
    CHECK(s.state_of(done) == "succeeded");
    auto locks = s.locks.list_active();
    REQUIRE(locks->size() == 1);
    CHECK(locks->front().owner == "U05");
    auto log = s.audit.for_action(running);
    REQUIRE(log->size() >= 2);
    CHECK((*log)[log->size() - 2].event == "action.interrupted");
    CHECK(log->back().event == "lock.released");
    CHECK(s.actions.mark_interrupted_at_startup()->empty());
    CHECK(s.audit.verify()->ok());
}
