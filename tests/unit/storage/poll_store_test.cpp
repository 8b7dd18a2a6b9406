// storage/poll_store: a step that waits for a platform is a row, not a thread (docs/design.md "Actions and steps"):
// one poll per action; a due poll is claimed by exactly one caller; the claimer stores it again or takes it only
// while its claim holds (a Stop that took it wins); at start-up the action keeps polling instead of being
// interrupted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>

#include "fixture.hpp"
#include "storage/poll_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

platform_poll poll_of(const action_id& id, clock::time_point deadline, clock::time_point next) {
    platform_poll p;
    p.action = id;
    p.step_index = 1;
    p.deadline = deadline;
    p.next_poll = next;
    p.memo = {{"wait", "railway_deployment"}, {"id", "rw-new-5"}};
    return p;
}

action_id running_action(testing::stores& s) {
    auto id = s.request();
    REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
    return id;
}

}  // namespace

TEST_CASE("a stored poll is read back with its step, deadline, next poll and memo, one per action") {
    testing::stores s;
    poll_store polls(s.db, s.clock);
    auto id = running_action(s);
    const auto now = s.clock.now();
    REQUIRE(polls.put(poll_of(id, now + 10min, now)));
    auto got = polls.get(id);
    REQUIRE(got);
    REQUIRE(*got);
    CHECK((*got)->step_index == 1);
    CHECK((*got)->deadline == now + 10min);
    CHECK((*got)->next_poll == now);
    CHECK((*got)->polls == 0);
    CHECK((*got)->memo.at("id").as_string() == "rw-new-5");
    auto again = polls.put(poll_of(id, now + 10min, now));
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == error_kind::conflict);
    CHECK_FALSE(polls.put(poll_of(action_id("A-99"), now, now)));
    // An action no longer running (a takeover interrupted it while its step acted) stores no poll.
    auto pending = s.request();
    auto refused = polls.put(poll_of(pending, now + 10min, now));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::conflict);
}

TEST_CASE("a due poll is claimed by exactly one of racing sweeps, and a poll not yet due is not listed") {
    testing::stores s;
    poll_store polls(s.db, s.clock);
    auto id = running_action(s);
    const auto now = s.clock.now();
    REQUIRE(polls.put(poll_of(id, now + 10min, now + 2s)));
    REQUIRE(polls.due(now)->empty());
    auto due = polls.due(now + 2s);
    REQUIRE(due);
    REQUIRE(due->size() == 1);
    const auto seen = (*due)[0].next_poll;
    std::vector<std::future<bool>> racers;
    for (int i = 0; i < 4; ++i) {
        racers.push_back(std::async(std::launch::async, [&, i] {
            return *polls.claim(id, seen, now + 10min + std::chrono::milliseconds(i));
        }));
    }
    int won = 0;
    for (auto& r : racers) {
        won += r.get() ? 1 : 0;
    }
    CHECK(won == 1);
    CHECK(polls.due(now + 5min)->empty());  // claimed: not due for the others while its poll runs
}

TEST_CASE("the claimer stores the poll again or takes it only while its claim holds") {
    testing::stores s;
    poll_store polls(s.db, s.clock);
    auto id = running_action(s);
    const auto now = s.clock.now();
    REQUIRE(polls.put(poll_of(id, now + 10min, now)));
    const auto claimed = now + 10min;
    REQUIRE(*polls.claim(id, now, claimed));
    CHECK_FALSE(*polls.again(id, now, now + 2s));  // a stale claim changes nothing
    REQUIRE(*polls.again(id, claimed, now + 2s));
    CHECK((*polls.get(id))->polls == 1);
    CHECK((*polls.get(id))->next_poll == now + 2s);
    CHECK_FALSE(*polls.take(id, claimed));  // that claim is over
    REQUIRE(*polls.claim(id, now + 2s, claimed + 1s));
    // Stop takes it while the poll runs: the poller's again and take then find nothing.
    REQUIRE(*polls.take(id));
    CHECK_FALSE(*polls.again(id, claimed + 1s, now + 4s));
    CHECK_FALSE(*polls.take(id, claimed + 1s));
    CHECK(*polls.count() == 0);
}

TEST_CASE("at start-up an action polling a platform is not interrupted and its poll is due at once") {
    testing::stores s;
    poll_store polls(s.db, s.clock);
    auto polling = running_action(s);
    auto acting = running_action(s);
    const auto now = s.clock.now();
    REQUIRE(polls.put(poll_of(polling, now + 10min, now)));
    REQUIRE(*polls.claim(polling, now, now + 10min));  // the previous process died while polling
    auto interrupted = s.actions.mark_interrupted_at_startup();
    REQUIRE(interrupted);
    REQUIRE(interrupted->size() == 1);
    CHECK((*interrupted)[0].id == acting);
    REQUIRE(polls.due_all_at(now));
    CHECK(polls.due(now)->size() == 1);
}

TEST_CASE("at shutdown an acting action is interrupted as stopped, and a polling one keeps its stored poll") {
    testing::stores s;
    poll_store polls(s.db, s.clock);
    auto polling = running_action(s);
    auto acting = running_action(s);
    const auto now = s.clock.now();
    REQUIRE(polls.put(poll_of(polling, now + 10min, now)));
    auto interrupted = s.actions.mark_interrupted_at_shutdown();
    REQUIRE(interrupted);
    REQUIRE(interrupted->size() == 1);
    CHECK((*interrupted)[0].id == acting);
    CHECK(s.state_of(acting) == "interrupted");
    CHECK(s.state_of(polling) == "running");
    CHECK(*polls.count() == 1);  // the next start resumes it
    auto log = s.audit.for_action(acting);
    REQUIRE(log);
    auto entry = std::find_if(log->begin(), log->end(), [](const auto& e) { return e.event == "action.interrupted"; });
    REQUIRE(entry != log->end());
    CHECK_THAT(entry->detail_json, Catch::Contains("opsbot was stopped"));
}
