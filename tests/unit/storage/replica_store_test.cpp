// storage/replica_store (issue 14 item 2): a replica's lease runs out unless its heartbeat renews it; the action it
// approves or starts is owned by it; a dead owner's work is taken over by exactly one other replica — acting steps
// interrupted, waiting ones (a person's wait, a platform poll) handed to the taker — and a live owner's never.
// Two `stores` on one temp_db_path are two replicas sharing the database (on PostgreSQL too: tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <set>

#include "fixture.hpp"
#include "storage/poll_store.hpp"
#include "storage/replica_store.hpp"
#include "storage/wait_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

constexpr auto lease = 30s;
const std::string dead_reason = "its replica died before the action finished; it was not re-run";

/// One replica: its own connection, clock and id on a shared database.
struct replica {
    replica(const std::string& where, const std::string& id) : s(where), id(id) { s.db.set_replica(id); }
    testing::stores s;
    std::string id;
    replica_store replicas{s.db, s.clock, lease};
    wait_store waits{s.db, s.clock};
    poll_store polls{s.db, s.clock};

    /// Approved by U02 and started here: running, owned by this replica.
    action_id running() {
        auto id = s.request();
        REQUIRE(s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
        REQUIRE(s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
        return id;
    }
    action_id waiting_for_person(const std::string& key) {
        auto id = running();
        REQUIRE(waits.put(person_wait{id, 1, key, "U01", s.clock.now() + 4h, {{"before", "3fa9"}}}));
        return id;
    }
    action_id polling() {
        auto id = running();
        REQUIRE(polls.put(platform_poll{id, 0, s.clock.now() + 1h, s.clock.now() + 2s, 0, {{"deployment", "d1"}}}));
        return id;
    }
    std::string owner_of(const action_id& action) {
        auto owner = s.actions.owner_of(action);
        REQUIRE(owner);
        return owner->value_or("(none)");
    }
};

std::set<std::string> ids_of(const std::vector<action_record>& actions) {
    std::set<std::string> out;
    for (const auto& a : actions) {
        out.insert(a.id.str());
    }
    return out;
}

}  // namespace

TEST_CASE("a replica's lease runs out unless its heartbeat renews it") {
    replica a(":memory:", "r-a");
    REQUIRE(a.replicas.enrol("r-a"));
    a.s.clock.advance(lease - 1ms);
    CHECK(a.replicas.expired()->empty());
    auto renewed = a.replicas.heartbeat("r-a");
    REQUIRE(renewed);
    CHECK(*renewed);  // still live when renewed
    a.s.clock.advance(lease - 1ms);
    CHECK(a.replicas.expired()->empty());  // the heartbeat kept it: 2 × lease - 2 ms after it enrolled
    a.s.clock.advance(1ms);
    CHECK(*a.replicas.expired() == std::vector<std::string>{"r-a"});
    auto late = a.replicas.heartbeat("r-a");
    REQUIRE(late);
    CHECK_FALSE(*late);  // it had run out: its work may have been taken over meanwhile
    CHECK(a.replicas.expired()->empty());
}

TEST_CASE("the replica that approves and starts an action owns it, and a legacy action has no owner") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    auto id = a.s.request();
    CHECK(a.owner_of(id) == "(none)");
    REQUIRE(a.s.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
    CHECK(a.owner_of(id) == "r-a");
    // Started by another replica (it took the approved one from its queue): now that one's.
    replica b(path.str(), "r-b");
    REQUIRE(b.s.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
    CHECK(a.owner_of(id) == "r-b");
    // A database without a replica id (a store test, `opsbot audit`) records none.
    testing::stores plain(path.str());
    auto other = plain.request();
    REQUIRE(plain.actions.transition(other, action_state::awaiting_approval, action_state::approved, "U02"));
    CHECK(a.owner_of(other) == "(none)");
}

TEST_CASE("a live replica's running and waiting actions are never taken over, however often others look") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    REQUIRE(a.replicas.enrol("r-a"));
    REQUIRE(b.replicas.enrol("r-b"));
    auto acting = a.running();
    auto waiting = a.waiting_for_person("SENTRY_DSN");
    auto polling = a.polling();
    for (int beat = 0; beat < 10; ++beat) {  // 10 × lease/3: far past one lease, but a renews every lease/3
        a.s.clock.advance(lease / 3);
        b.s.clock.advance(lease / 3);
        REQUIRE(*a.replicas.heartbeat("r-a"));
        auto took = b.replicas.take_over_expired("r-b", dead_reason);
        REQUIRE(took);
        CHECK(took->interrupted.empty());
        CHECK(took->waiting.empty());
    }
    CHECK(a.s.state_of(acting) == "running");
    for (const auto& id : {acting, waiting, polling}) {
        CHECK(a.owner_of(id) == "r-a");
    }
    // Its own takeover never takes its own work either, even once its own lease ran out.
    a.s.clock.advance(lease * 2);
    auto own = a.replicas.take_over_expired("r-a", dead_reason);
    REQUIRE(own);
    CHECK(own->interrupted.empty());
    CHECK(own->waiting.empty());
}

TEST_CASE("once a replica's lease ran out, another interrupts its acting steps and takes its waiting ones") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    REQUIRE(a.replicas.enrol("r-a"));
    REQUIRE(b.replicas.enrol("r-b"));
    auto acting = a.running();
    REQUIRE(a.s.locks.claim("web", "production", acting.str(), "rollback web", a.s.clock.now() + 1h));
    auto approved = a.s.request();
    REQUIRE(a.s.actions.transition(approved, action_state::awaiting_approval, action_state::approved, "U02"));
    auto waiting = a.waiting_for_person("SENTRY_DSN");
    auto polling = a.polling();
    auto pending = a.s.request();  // awaiting approval: nobody's work yet, never taken

    b.s.clock.advance(lease - 1ms);  // a's lease has 1 ms left
    REQUIRE(b.replicas.heartbeat("r-b"));
    CHECK(b.replicas.take_over_expired("r-b", dead_reason)->interrupted.empty());
    b.s.clock.advance(1ms);
    CHECK(*b.replicas.expired() == std::vector<std::string>{"r-a"});
    auto took = b.replicas.take_over_expired("r-b", dead_reason);
    REQUIRE(took);
    CHECK(ids_of(took->interrupted) == std::set<std::string>{acting.str(), approved.str()});
    CHECK(ids_of(took->waiting) == std::set<std::string>{waiting.str(), polling.str()});
    for (const auto& a_ : took->interrupted) {
        CHECK(a_.state == action_state::interrupted);
    }
    CHECK(a.s.state_of(acting) == "interrupted");
    CHECK(a.s.state_of(approved) == "interrupted");
    CHECK(a.s.state_of(waiting) == "running");
    CHECK(a.s.state_of(polling) == "running");
    CHECK(a.s.state_of(pending) == "awaiting_approval");
    CHECK(a.owner_of(waiting) == "r-b");
    CHECK(a.owner_of(polling) == "r-b");
    // The interrupted action keeps its lock until the lock's own expiry: a takeover cannot tell a dead owner from a
    // slow one whose step still acts (model/replicas.pml, fix.keep_locks_on_takeover).
    auto kept = a.s.locks.list_active();
    REQUIRE(kept);
    REQUIRE(kept->size() == 1);
    CHECK(kept->front().owner == acting.str());
    CHECK(kept->front().expires_at > b.s.clock.now());  // it goes at its own expiry (lock_store: taken over then)
    CHECK(*b.waits.get(waiting));             // the waits themselves stay, for the taker to resume
    CHECK(*b.polls.get(polling));
    // Audited with the reason, as the start-up recovery audits its interruptions.
    auto entries = b.s.audit.for_action(acting);
    REQUIRE(entries);
    CHECK(std::any_of(entries->begin(), entries->end(), [](const auto& e) {
        return e.event == "action.interrupted" && e.detail_json.find(dead_reason) != std::string::npos;
    }));
    // The takeover itself is audited once: who took whose work.
    auto all = b.s.audit.entries();
    REQUIRE(all);
    auto taken = std::find_if(all->begin(), all->end(), [](const auto& e) { return e.event == "replica.taken_over"; });
    REQUIRE(taken != all->end());
    CHECK(taken->detail_json.find("\"r-a\"") != std::string::npos);
    CHECK(taken->detail_json.find(acting.str()) != std::string::npos);
    CHECK(taken->detail_json.find(waiting.str()) != std::string::npos);
    // The dead replica's row is gone; a second look finds nothing more.
    CHECK(b.replicas.expired()->empty());
    auto again = b.replicas.take_over_expired("r-b", dead_reason);
    REQUIRE(again);
    CHECK(again->interrupted.empty());
    CHECK(again->waiting.empty());
    CHECK(b.s.audit.verify()->ok());
}

TEST_CASE("an action whose owner has no replica row, or no owner at all, is taken over") {
    testing::temp_db_path path;
    replica gone(path.str(), "r-gone");  // never enrolled: as if its row were removed
    replica b(path.str(), "r-b");
    testing::stores legacy(path.str());  // no replica id: actions from before migration 11
    REQUIRE(b.replicas.enrol("r-b"));
    auto orphan = gone.running();
    auto old = legacy.request();
    REQUIRE(legacy.actions.transition(old, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(legacy.actions.transition(old, action_state::approved, action_state::running, "opsbot"));
    auto took = b.replicas.take_over_expired("r-b", dead_reason);
    REQUIRE(took);
    CHECK(ids_of(took->interrupted) == std::set<std::string>{orphan.str(), old.str()});
}

TEST_CASE("two replicas taking over at once: each of a dead replica's actions goes to exactly one") {
    testing::temp_db_path path;
    replica dead(path.str(), "r-dead");
    replica b(path.str(), "r-b");
    replica c(path.str(), "r-c");
    for (int round = 0; round < 5; ++round) {
        REQUIRE(dead.replicas.enrol("r-dead"));
        std::set<std::string> acting;
        std::set<std::string> waiting;
        for (int i = 0; i < 3; ++i) {
            acting.insert(dead.running().str());
            waiting.insert(dead.waiting_for_person("KEY_" + std::to_string(round) + "_" + std::to_string(i)).str());
            waiting.insert(dead.polling().str());
        }
        dead.s.clock.advance(lease);  // keeps the three clocks together
        b.s.clock.advance(lease);
        c.s.clock.advance(lease);
        REQUIRE(b.replicas.heartbeat("r-b"));
        REQUIRE(c.replicas.heartbeat("r-c"));

        std::promise<void> go;
        std::shared_future<void> start = go.get_future().share();
        auto take = [&start](replica& r) {
            return std::async(std::launch::async, [&r, start] {
                start.wait();
                return r.replicas.take_over_expired(r.id, dead_reason);
            });
        };
        auto by_b = take(b);
        auto by_c = take(c);
        go.set_value();
        auto from_b = by_b.get();
        auto from_c = by_c.get();
        REQUIRE(from_b);
        REQUIRE(from_c);
        const auto b_acting = ids_of(from_b->interrupted);
        const auto c_acting = ids_of(from_c->interrupted);
        const auto b_waiting = ids_of(from_b->waiting);
        const auto c_waiting = ids_of(from_c->waiting);
        CHECK(b_acting.size() + c_acting.size() == acting.size());  // none twice …
        std::set<std::string> all_acting = b_acting;
        all_acting.insert(c_acting.begin(), c_acting.end());
        CHECK(all_acting == acting);  // … none missed
        CHECK(b_waiting.size() + c_waiting.size() == waiting.size());
        std::set<std::string> all_waiting = b_waiting;
        all_waiting.insert(c_waiting.begin(), c_waiting.end());
        CHECK(all_waiting == waiting);
        for (const auto& id : b_waiting) {
            CHECK(b.owner_of(action_id{id}) == "r-b");
        }
        for (const auto& id : c_waiting) {
            CHECK(c.owner_of(action_id{id}) == "r-c");
        }
        // Each interrupted once: one audited interruption per action, however the two raced.
        for (const auto& id : acting) {
            auto entries = b.s.audit.for_action(action_id{id});
            REQUIRE(entries);
            CHECK(std::count_if(entries->begin(), entries->end(),
                                [](const auto& e) { return e.event == "action.interrupted"; }) == 1);
        }
    }
    CHECK(b.s.audit.verify()->ok());
}

TEST_CASE("at a start under the instance lock, every other replica's work is taken at once, leases or not") {
    testing::temp_db_path path;
    replica before(path.str(), "r-before");
    REQUIRE(before.replicas.enrol("r-before"));
    auto acting = before.running();
    REQUIRE(before.s.locks.claim("web", "production", acting.str(), "rollback web", before.s.clock.now() + 1h));
    auto waiting = before.waiting_for_person("SENTRY_DSN");
    replica now(path.str(), "r-now");
    REQUIRE(now.replicas.enrol("r-now"));
    CHECK(now.replicas.take_over_expired("r-now", dead_reason)->interrupted.empty());  // its lease is still on
    auto took = now.replicas.take_over_all_but("r-now", dead_reason);
    REQUIRE(took);
    CHECK(ids_of(took->interrupted) == std::set<std::string>{acting.str()});
    CHECK(ids_of(took->waiting) == std::set<std::string>{waiting.str()});
    CHECK(now.owner_of(waiting) == "r-now");
    CHECK(now.s.locks.list_active()->empty());  // under the instance lock the old process is dead: locks go at once
    now.s.clock.advance(lease * 2);
    CHECK(*now.replicas.expired() == std::vector<std::string>{"r-now"});  // r-before's row went with its work
}

TEST_CASE("a replica's shutdown interrupts only what it runs itself") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    auto mine = a.running();
    auto theirs = b.running();
    auto stopped = a.s.actions.mark_interrupted_at_shutdown();
    REQUIRE(stopped);
    CHECK(ids_of(*stopped) == std::set<std::string>{mine.str()});
    CHECK(a.s.state_of(theirs) == "running");
}

TEST_CASE("claim: a replica that resumes a running action owns it") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    auto id = a.polling();
    auto claimed = b.s.actions.claim(id);
    REQUIRE(claimed);
    CHECK(*claimed);
    CHECK(a.owner_of(id) == "r-b");
    auto pending = a.s.request();
    CHECK_FALSE(*b.s.actions.claim(pending));  // not running: nothing to own
    CHECK(a.owner_of(pending) == "(none)");
}

TEST_CASE("only the owner starts a step: after a takeover the slow owner's next step is refused and nothing is written") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    REQUIRE(a.replicas.enrol("r-a"));
    REQUIRE(b.replicas.enrol("r-b"));
    auto acting = a.running();
    auto waiting = a.waiting_for_person("SENTRY_DSN");
    const audit_input step{"opsbot", acting, "step.started", {{"index", 2}}};
    REQUIRE(a.s.actions.start_step(acting, step));  // its own, running: allowed, and audited

    b.s.clock.advance(lease);
    REQUIRE(b.replicas.heartbeat("r-b"));
    REQUIRE(b.replicas.take_over_expired("r-b", dead_reason));
    const auto before = a.s.audit.entries()->size();
    // a was slow, not dead: its next steps find the run taken, and the audit log is unchanged.
    auto late = a.s.actions.start_step(acting, step);
    REQUIRE_FALSE(late);
    CHECK(late.error().kind == error_kind::conflict);
    auto resumed = a.s.actions.start_step(waiting, {"opsbot", waiting, "step.started", {{"index", 2}}});
    REQUIRE_FALSE(resumed);
    CHECK(resumed.error().message.find("r-b") != std::string::npos);
    CHECK(a.s.audit.entries()->size() == before);
    // The taker resumes the waiting one.
    CHECK(b.s.actions.start_step(waiting, {"opsbot", waiting, "step.started", {{"index", 2}}}));
    CHECK(a.s.audit.verify()->ok());
}

TEST_CASE("start_step: an action with no owner recorded becomes the starting replica's") {
    testing::temp_db_path path;
    testing::stores legacy(path.str());  // no replica id: an action as a version without replicas left it
    auto id = legacy.request();
    REQUIRE(legacy.actions.transition(id, action_state::awaiting_approval, action_state::approved, "U02"));
    REQUIRE(legacy.actions.transition(id, action_state::approved, action_state::running, "opsbot"));
    replica a(path.str(), "r-a");
    CHECK(a.owner_of(id) == "(none)");
    REQUIRE(a.s.actions.start_step(id, {"opsbot", id, "step.started", {{"index", 1}}}));
    CHECK(a.owner_of(id) == "r-a");
    auto pending = a.s.request();  // awaiting approval: no step may start
    auto refused = a.s.actions.start_step(pending, {"opsbot", pending, "step.started", {{"index", 1}}});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::conflict);
}

TEST_CASE("the oldest live replica leads, one at a time, and a replica alone leads whatever its lease says") {
    testing::temp_db_path path;
    replica a(path.str(), "r-a");
    replica b(path.str(), "r-b");
    REQUIRE(a.replicas.enrol("r-a"));
    b.s.clock.advance(1ms);
    REQUIRE(b.replicas.enrol("r-b"));
    CHECK(*a.replicas.leads("r-a"));
    CHECK_FALSE(*b.replicas.leads("r-b"));
    // a's lease runs out (slow or dead) while b heartbeats: b leads at once, and a no longer does.
    a.s.clock.advance(lease);
    b.s.clock.advance(lease - 1ms);
    REQUIRE(b.replicas.heartbeat("r-b"));
    CHECK(*b.replicas.leads("r-b"));
    CHECK_FALSE(*a.replicas.leads("r-a"));
    // b leaves; a is alone: it leads even with its lease run out (a manual clock may jump past it).
    REQUIRE(b.replicas.leave("r-b"));
    CHECK(*a.replicas.leads("r-a"));
    // A replica without a row leads only when nobody else lives.
    REQUIRE(b.replicas.enrol("r-b"));
    CHECK_FALSE(*a.replicas.leads("r-gone"));
}
