// storage/break_glass_store: skipping approval is recorded with its reason and stays unreviewed until another
// allowed approver acknowledges it (issue #7).
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "storage/break_glass_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

const std::set<user_id> approvers{user_id("U02"), user_id("U03")};

std::vector<std::string> events_of(testing::stores& s, const action_id& id) {
    std::vector<std::string> out;
    auto entries = s.audit.for_action(id);
    REQUIRE(entries);
    for (const auto& e : *entries) {
        out.push_back(e.event);
    }
    return out;
}

}  // namespace

TEST_CASE("break-glass approves the request at once, audited with the reason, and stays unreviewed") {
    testing::stores s;
    break_glass_store glass(s.db, s.clock);
    auto id = s.request();
    REQUIRE(glass.approve_by_break_glass(id, user_id("U01"), "site down, approvers asleep"));
    CHECK(s.state_of(id) == "approved");
    auto events = events_of(s, id);
    REQUIRE(events.size() >= 3);
    CHECK(events[events.size() - 2] == "action.approved");
    CHECK(events.back() == "break_glass.used");
    auto entries = s.audit.for_action(id);
    CHECK(entries->at(entries->size() - 2).detail_json.find("site down, approvers asleep") != std::string::npos);

    auto found = glass.find(id);
    REQUIRE(found);
    REQUIRE(found->has_value());
    CHECK((*found)->reason == "site down, approvers asleep");
    CHECK_FALSE((*found)->reviewed());
    REQUIRE(glass.unreviewed()->size() == 1);
}

TEST_CASE("break-glass is refused for another user, an empty reason or a request no longer awaiting approval") {
    testing::stores s;
    break_glass_store glass(s.db, s.clock);
    auto id = s.request();
    CHECK(glass.approve_by_break_glass(id, user_id("U02"), "why not").error().kind == error_kind::forbidden);
    CHECK(glass.approve_by_break_glass(id, user_id("U01"), "   ").error().kind == error_kind::invalid_input);
    CHECK(s.state_of(id) == "awaiting_approval");
    REQUIRE(glass.approve_by_break_glass(id, user_id("U01"), "outage"));
    CHECK(glass.approve_by_break_glass(id, user_id("U01"), "again").error().kind == error_kind::conflict);
    CHECK(glass.unreviewed()->size() == 1);
}

TEST_CASE("only another allowed approver acknowledges, once, refusals are audited and change nothing") {
    testing::stores s;
    break_glass_store glass(s.db, s.clock);
    auto id = s.request();
    REQUIRE(glass.approve_by_break_glass(id, user_id("U01"), "outage"));

    auto self = glass.acknowledge(id, user_id("U01"), {user_id("U01"), user_id("U02")});
    REQUIRE_FALSE(self);
    CHECK(self.error().kind == error_kind::forbidden);
    auto outsider = glass.acknowledge(id, user_id("U09"), approvers);
    REQUIRE_FALSE(outsider);
    CHECK(outsider.error().kind == error_kind::forbidden);
    CHECK(glass.unreviewed()->size() == 1);
    CHECK(events_of(s, id).back() == "break_glass.ack_refused");

    s.clock.advance(3min);
    auto acked = glass.acknowledge(id, user_id("U02"), approvers);
    REQUIRE(acked);
    CHECK(acked->acknowledged_by == user_id("U02"));
    CHECK(acked->acknowledged_at == s.clock.now());
    CHECK(glass.unreviewed()->empty());
    CHECK(events_of(s, id).back() == "break_glass.acknowledged");

    auto twice = glass.acknowledge(id, user_id("U03"), approvers);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().kind == error_kind::conflict);
    CHECK((*glass.find(id))->acknowledged_by == user_id("U02"));
    CHECK_THROWS(s.raw("UPDATE break_glass SET acknowledged_by = 'U03'"));
    CHECK_THROWS(s.raw("UPDATE break_glass SET reason = 'nothing happened'"));
    CHECK_THROWS(s.raw("DELETE FROM break_glass"));
    CHECK(s.audit.verify()->ok());
}

TEST_CASE("the incident post is remembered, an action without break-glass has none") {
    testing::stores s;
    break_glass_store glass(s.db, s.clock);
    auto id = s.request();
    auto plain = s.request();
    REQUIRE(glass.approve_by_break_glass(id, user_id("U01"), "outage"));
    REQUIRE(glass.set_incident_post(id, "C0INC", "1700000000.000200"));
    CHECK((*glass.find(id))->incident_ts == "1700000000.000200");
    CHECK_FALSE(glass.find(plain)->has_value());
    CHECK(glass.set_incident_post(plain, "C0INC", "1").error().kind == error_kind::not_found);
    CHECK(glass.acknowledge(plain, user_id("U02"), approvers).error().kind == error_kind::not_found);
}
