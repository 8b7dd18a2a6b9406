#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

const std::set<user_id> approvers{user_id{"U01"}, user_id{"U02"}, user_id{"U03"}, user_id{"U04"}};

std::int64_t audit_count(testing::stores& s, const std::string& event) {
    std::int64_t n = 0;
    auto entries = s.audit.entries();  // kept in a variable: a range-for over *temporary would dangle
    REQUIRE(entries);
    for (const auto& e : *entries) {
        n += e.event == event ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_CASE("one approval by another approver approves, exactly once") {
    testing::stores s;
    action_id id = s.request(1);
    auto first = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE(first);
    CHECK(first->now_approved);
    CHECK(first->state == action_state::approved);
    CHECK(first->approvals == 1);
    CHECK(s.state_of(id) == "approved");
    auto decisions = s.approvals.decisions(id);
    REQUIRE(decisions->size() == 1);
    CHECK((*decisions)[0].user == user_id{"U02"});
    CHECK((*decisions)[0].plan_digest == "digest-1");
    CHECK((*decisions)[0].decided_at == s.clock.now());

    SECTION("a second click or a replayed envelope changes nothing") {
        for (const char* user : {"U02", "U03"}) {
            auto again = s.approvals.record_decision(id, user_id{user}, decision::approve, "digest-1", approvers);
            REQUIRE_FALSE(again);
            CHECK(again.error().kind == error_kind::conflict);
            CHECK(again.error().message.find("already approved") != std::string::npos);
        }
        CHECK(s.approvals.decisions(id)->size() == 1);
        CHECK(audit_count(s, "action.approved") == 1);
    }
}

TEST_CASE("the requester can never approve their own request") {
    testing::stores s;
    action_id id = s.request(1);
    auto own = s.approvals.record_decision(id, user_id{"U01"}, decision::approve, "digest-1", approvers);
    REQUIRE_FALSE(own);
    CHECK(own.error().kind == error_kind::forbidden);
    CHECK(own.error().message == "you cannot approve your own request");
    CHECK(s.state_of(id) == "awaiting_approval");
    CHECK(s.approvals.decisions(id)->empty());
    CHECK(audit_count(s, "approval.refused") == 1);
    auto deny_own = s.approvals.record_decision(id, user_id{"U01"}, decision::deny, "digest-1", approvers);
    REQUIRE_FALSE(deny_own);
    CHECK(deny_own.error().kind == error_kind::forbidden);
    CHECK(s.state_of(id) == "awaiting_approval");
}

TEST_CASE("only members of the approve group may decide") {
    testing::stores s;
    action_id id = s.request(1);
    for (decision d : {decision::approve, decision::deny}) {
        auto r = s.approvals.record_decision(id, user_id{"U99"}, d, "digest-1", approvers);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::forbidden);
    }
    CHECK(s.state_of(id) == "awaiting_approval");
    CHECK(s.approvals.decisions(id)->empty());
}

TEST_CASE("an expired request is marked expired when clicked") {
    testing::stores s;
    action_id id = s.request(1);
    s.clock.advance(15min);  // now == expires_at: expired
    auto late = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE_FALSE(late);
    CHECK(late.error().kind == error_kind::conflict);
    CHECK(late.error().message.find("expired") != std::string::npos);
    CHECK(s.state_of(id) == "expired");
    CHECK(s.approvals.decisions(id)->empty());
    CHECK(audit_count(s, "action.expired") == 1);
}

TEST_CASE("a click one millisecond before expiry still counts") {
    testing::stores s;
    action_id id = s.request(1);
    s.clock.advance(15min - 1ms);
    CHECK(s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers)->now_approved);
}

TEST_CASE("an approval of a different plan digest is refused") {
    testing::stores s;
    action_id id = s.request(1, "digest-1");
    auto stale = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-0", approvers);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().kind == error_kind::conflict);
    CHECK(s.state_of(id) == "awaiting_approval");
    CHECK(s.approvals.decisions(id)->empty());
}

TEST_CASE("a deny by an approver denies, later clicks change nothing") {
    testing::stores s;
    action_id id = s.request(2);
    auto denied = s.approvals.record_decision(id, user_id{"U03"}, decision::deny, "digest-1", approvers);
    REQUIRE(denied);
    CHECK(denied->now_denied);
    CHECK_FALSE(denied->now_approved);
    CHECK(s.state_of(id) == "denied");
    auto after = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE_FALSE(after);
    CHECK(after.error().kind == error_kind::conflict);
    CHECK(s.state_of(id) == "denied");
    REQUIRE(s.approvals.decisions(id)->size() == 1);
    CHECK(s.approvals.decisions(id)->front().decision == decision::deny);
}

TEST_CASE("approvals: N needs N distinct approvers") {
    testing::stores s;
    action_id id = s.request(2);
    auto one = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE(one);
    CHECK_FALSE(one->now_approved);
    CHECK(one->approvals == 1);
    CHECK(one->required == 2);
    CHECK(s.state_of(id) == "awaiting_approval");

    auto twice = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().kind == error_kind::conflict);
    CHECK(s.state_of(id) == "awaiting_approval");
    CHECK(s.approvals.decisions(id)->size() == 1);

    auto two = s.approvals.record_decision(id, user_id{"U03"}, decision::approve, "digest-1", approvers);
    REQUIRE(two);
    CHECK(two->now_approved);
    CHECK(two->approvals == 2);
    CHECK(s.state_of(id) == "approved");
}

TEST_CASE("a click for an unknown or finished action changes nothing") {
    testing::stores s;
    auto unknown = s.approvals.record_decision(action_id{"A-42"}, user_id{"U02"}, decision::approve, "d", approvers);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().kind == error_kind::not_found);

    action_id id = s.request(1);
    REQUIRE(s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers));
    REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
    REQUIRE(s.actions.transition(id, action_state::running, action_state::succeeded, "opsbot"));
    auto entries_before = s.audit.entries()->size();
    auto late = s.approvals.record_decision(id, user_id{"U03"}, decision::deny, "digest-1", approvers);
    REQUIRE_FALSE(late);
    CHECK(late.error().kind == error_kind::conflict);
    CHECK(s.state_of(id) == "succeeded");
    CHECK(s.audit.entries()->size() == entries_before);
}

TEST_CASE("cancel: only the requester, only while awaiting approval") {
    testing::stores s;
    action_id id = s.request(1);
    auto other = s.approvals.cancel(id, user_id{"U02"});
    REQUIRE_FALSE(other);
    CHECK(other.error().kind == error_kind::forbidden);
    CHECK(s.state_of(id) == "awaiting_approval");
    REQUIRE(s.approvals.cancel(id, user_id{"U01"}));
    CHECK(s.state_of(id) == "cancelled");
    auto again = s.approvals.cancel(id, user_id{"U01"});
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == error_kind::conflict);
    auto approve = s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", approvers);
    REQUIRE_FALSE(approve);
    CHECK(s.state_of(id) == "cancelled");
}

TEST_CASE("approvers clicking at once: exactly one click sees now_approved") {
    testing::stores s;
    constexpr int rounds = 40;
    constexpr int threads = 8;
    std::vector<std::string> who;
    std::set<user_id> group;
    for (int t = 0; t < threads; ++t) {
        who.push_back("U1" + std::to_string(t));
        group.insert(user_id{who.back()});
    }
    for (int round = 0; round < rounds; ++round) {
        int required = 1 + round % 3;
        action_id id = s.request(required);
        std::atomic<int> now_approved{0};
        std::atomic<int> accepted{0};
        std::promise<void> go;
        std::shared_future<void> start = go.get_future().share();
        std::vector<std::thread> clickers;
        for (int t = 0; t < threads; ++t) {
            clickers.emplace_back([&, t] {
                start.wait();
                // Each user clicks twice, as a double click or a replayed envelope would.
                for (int click = 0; click < 2; ++click) {
                    auto r = s.approvals.record_decision(id, user_id{who[t]}, decision::approve, "digest-1", group);
                    if (r) {
                        ++accepted;
                        now_approved += r->now_approved ? 1 : 0;
                    }
                }
            });
        }
        go.set_value();
        for (auto& c : clickers) {
            c.join();
        }
        INFO("round " << round << " required " << required);
        CHECK(now_approved == 1);
        CHECK(accepted == required);
        CHECK(s.state_of(id) == "approved");
        CHECK(static_cast<int>(s.approvals.decisions(id)->size()) == required);
    }
    CHECK(audit_count(s, "action.approved") == rounds);
    CHECK(s.audit.verify()->ok());
}

TEST_CASE("two connections to one file racing: exactly one now_approved") {
    testing::temp_db_path path;
    testing::stores a(path.str());
    testing::stores b(path.str());
    std::set<user_id> group{user_id{"U02"}, user_id{"U03"}};
    for (int round = 0; round < 20; ++round) {
        action_id id = a.request(1);
        std::promise<void> go;
        std::shared_future<void> start = go.get_future().share();
        auto click = [&](testing::stores& s, const char* user) {
            return std::async(std::launch::async, [&s, &start, &id, &group, user] {
                start.wait();
                auto r = s.approvals.record_decision(id, user_id{user}, decision::approve, "digest-1", group);
                return r && r->now_approved;
            });
        };
        auto x = click(a, "U02");
        auto y = click(b, "U03");
        go.set_value();
        int wins = (x.get() ? 1 : 0) + (y.get() ? 1 : 0);
        CHECK(wins == 1);
        CHECK(a.approvals.decisions(id)->size() == 1);
    }
    CHECK(a.audit.verify()->ok());
}
