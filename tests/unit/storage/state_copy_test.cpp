// opsbot migrate-state's copy (storage/state_copy.hpp): an SQLite state moves into another database — PostgreSQL when
// ctest runs this file the second time (tests/CMakeLists.txt) — with ids, states and the audit chain intact.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "fixture.hpp"
#include "storage/state_copy.hpp"
#include "storage/watch_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

/// An SQLite source whatever engine the target runs on: migrate-state reads the bot's old file.
struct sqlite_source {
    std::string file = (std::filesystem::temp_directory_path() /
                        ("opsbot-state-copy-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".db"))
                           .string();
    manual_clock clock;
    std::unique_ptr<database> db = std::make_unique<database>(file);
    ~sqlite_source() {
        db.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(file + suffix);
        }
    }
};

action_id request(action_store& actions, const opsbot::clock& clk, const std::string& subject) {
    new_action a;
    a.family = "rollback";
    a.subject = subject;
    a.requester = user_id{"U01"};
    a.channel = channel_id{"C01"};
    a.plan_json = R"({"steps":["promote dpl_2"]})";
    a.plan_digest = "digest-1";
    a.required_approvals = 1;
    a.expires_at = clk.now() + 15min;
    return actions.create(a).value();
}

}  // namespace

TEST_CASE("migrate-state copies actions in every state, approvals, locks, watches and the audit chain") {
    sqlite_source src;
    action_store actions(*src.db, src.clock);
    approval_store approvals(*src.db, src.clock);
    lock_store locks(*src.db, src.clock);
    watch_store watches(*src.db, src.clock);
    const std::set<user_id> approvers{user_id{"U02"}};

    const auto waiting = request(actions, src.clock, "waiting");
    const auto denied = request(actions, src.clock, "denied");
    REQUIRE(approvals.record_decision(denied, user_id{"U02"}, decision::deny, "digest-1", approvers));
    const auto done = request(actions, src.clock, "done");
    REQUIRE(approvals.record_decision(done, user_id{"U02"}, decision::approve, "digest-1", approvers));
    REQUIRE(actions.transition(done, action_state::approved, action_state::running, "opsbot"));
    REQUIRE(actions.transition(done, action_state::running, action_state::succeeded, "opsbot"));
    const auto running = request(actions, src.clock, "running");
    REQUIRE(approvals.record_decision(running, user_id{"U02"}, decision::approve, "digest-1", approvers));
    REQUIRE(actions.transition(running, action_state::approved, action_state::running, "opsbot"));
    REQUIRE(locks.claim("web", "production", running.str(), "rollback web production", src.clock.now() + 10min));
    new_watch w;
    w.action = done;
    w.family = "rollback";
    w.title = "rollback web production";
    w.service = "web";
    w.environment = "production";
    w.requester = "U01";
    w.channel = "C01";
    w.thread_ts = "1.2";
    w.started_at = src.clock.now();
    w.ends_at = src.clock.now() + 15min;
    w.first_check_at = src.clock.now() + 1min;
    REQUIRE(watches.start(w));
    REQUIRE(watches.close(done, watch_state::quiet, {}));
    const auto source_head = audit_log(*src.db, src.clock).verify().value();

    testing::stores target;
    auto report = copy_state(*src.db, target.db, target.clock);
    INFO((report ? std::string() : report.error().message));
    REQUIRE(report);
    CHECK(report->audit_entries == source_head.entries);
    CHECK(report->head_hash == source_head.head_hash);
    CHECK(report->rows.front() == std::pair<std::string, std::int64_t>{"actions", 4});

    // Same ids, same states, same decisions; the lock and the closed watch came along.
    CHECK(target.state_of(waiting) == "awaiting_approval");
    CHECK(target.state_of(denied) == "denied");
    CHECK(target.state_of(done) == "succeeded");
    CHECK(target.state_of(running) == "running");
    CHECK(target.approvals.decisions(done)->front().user == user_id{"U02"});
    REQUIRE(target.locks.list_active()->size() == 1);
    CHECK(target.locks.list_active()->front().owner == running.str());
    watch_store target_watches(target.db, target.clock);
    CHECK(target_watches.get(done)->state == watch_state::quiet);
    CHECK(target.audit.verify()->ok());

    // The target goes on where the source stopped: the next action gets the next id, not A-1 again.
    CHECK(target.request() == action_id{"A-5"});
    CHECK(target.audit.verify()->ok());
}

TEST_CASE("migrate-state refuses a target that already holds state and a source whose chain is broken") {
    sqlite_source src;
    action_store actions(*src.db, src.clock);
    request(actions, src.clock, "one");

    SECTION("a target with state: nothing is copied") {
        testing::stores target;
        target.request();
        auto report = copy_state(*src.db, target.db, target.clock);
        REQUIRE_FALSE(report);
        CHECK(report.error().message.find("already holds state") != std::string::npos);
        CHECK(target.actions.list(action_state::awaiting_approval)->size() == 1);
    }
    SECTION("a tampered source: nothing is copied") {
        {
            auto session = src.db->acquire();
            session.sql().run_script("DROP TRIGGER audit_log_no_update");
            session.sql().run_script("UPDATE audit_log SET actor = 'U99' WHERE seq = 1");
        }
        testing::stores target;
        auto report = copy_state(*src.db, target.db, target.clock);
        REQUIRE_FALSE(report);
        CHECK(report.error().message.find("does not verify") != std::string::npos);
        CHECK(target.audit.verify()->entries == 0);
    }
}
