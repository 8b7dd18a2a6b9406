// Replicas (issue 14 item 2, storage/replica_store.hpp): a running bot takes over, on its replica timer (every third
// of its lease), the work of another replica whose lease ran out — its acting action marked interrupted and reported
// as start-up recovery reports one, never re-run — and leaves alone the work of a replica whose lease is still on.
// The other replicas are a second connection to the bot's SQLite file with replica ids of their own: the runtime on
// one database with several live processes (PostgreSQL) is not tested here.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include "storage/action_store.hpp"
#include "storage/database.hpp"
#include "storage/replica_store.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

/// Another replica, `id`, with `lease`, approves and starts `action` (awaiting approval), then stops heartbeating.
void started_by_another_replica(bot_harness& h, const std::string& id, std::chrono::milliseconds lease,
                                const std::string& action) {
    storage::database db(h.db_path());
    db.set_replica(id);
    manual_clock clk(h.clock().now());
    storage::replica_store replicas(db, clk, lease);
    REQUIRE(replicas.enrol(id));
    storage::action_store actions(db, clk);
    REQUIRE(actions.transition(action_id{action}, storage::action_state::awaiting_approval,
                               storage::action_state::approved, approver_a));
    REQUIRE(actions.transition(action_id{action}, storage::action_state::approved, storage::action_state::running,
                               "opsbot"));
}

bool reported_in_incidents(bot_harness& h, const std::string& action) {
    for (const auto& m : messages_in(h.slack(), incident_channel, "chat.postMessage")) {
        const std::string text = text_of(m);
        if (contains(text, action) && contains(text, "replica running it stopped")) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("a replica whose lease ran out: its running action is interrupted and reported by the live bot, not re-run, "
          "a live replica's is left alone") {
    harness_options o;
    o.manual_time = true;
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    h.command(requester, "/rollback", "api");
    REQUIRE(h.state_of("A-1") == "awaiting_approval");
    REQUIRE(h.state_of("A-2") == "awaiting_approval");
    started_by_another_replica(h, "r-dead", 30s, "A-1");  // the bot's default lease
    started_by_another_replica(h, "r-live", 1h, "A-2");

    // The bot's clock passes r-dead's lease, not r-live's; its replica timer (every 10 s of real time) notices. The
    // jump also ran past the bot's own lease: its first heartbeat after it renews the lease and takes nothing over
    // (it may have been cut off itself), the next one takes r-dead's work.
    h.clock().advance(31s);
    REQUIRE(eventually([&] { return h.state_of("A-1") == "interrupted"; }, 45s));
    REQUIRE(eventually([&] { return reported_in_incidents(h, "A-1"); }, 5s));
    // The same takeover saw A-2, whose owner still holds its lease: untouched.
    CHECK(h.state_of("A-2") == "running");
    CHECK_FALSE(reported_in_incidents(h, "A-2"));
    // Never run here: nothing was sent to the platforms, and its plan message says why it stopped.
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.railway_rollbacks() == 0);
    auto plan = h.message_of("A-1");
    REQUIRE(plan);
    CHECK(contains(text_of(*plan), "replica running it stopped"));
    auto events = h.audit_events("A-1");
    CHECK(std::find(events.begin(), events.end(), "action.interrupted") != events.end());
    CHECK(h.audit_ok());
}
