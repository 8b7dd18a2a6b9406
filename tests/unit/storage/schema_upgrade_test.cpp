// Upgrading a database made by the previous opsbot (schema 7) to the `stopped` state of migration 8: the actions
// table is rebuilt in place, and everything that pointed at it keeps pointing at the same rows.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "storage/schema_migrations.hpp"

using namespace opsbot;
using namespace opsbot::storage;

namespace {

/// A file as opsbot with migrations 1–7 left it: a running, a succeeded and a waiting action, an approval of the
/// running one, its lock, and a watch of the succeeded one.
void make_schema_7_database(const std::string& path) {
    SQLite::Database sql(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sql.exec("PRAGMA foreign_keys = ON");
    sql.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
             "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
    for (const migration& step : schema_migrations()) {
        if (step.version > 7) {
            continue;
        }
        sql.exec(std::string(step.sql));
        SQLite::Statement record(sql, "INSERT INTO schema_version (version, description) VALUES (?, ?)");
        record.bind(1, step.version);
        record.bind(2, std::string(step.description));
        record.exec();
    }
    for (int i = 1; i <= 3; ++i) {
        sql.exec("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, required_approvals, "
                 "state, created_at_ms, expires_at_ms, updated_at_ms) VALUES ('rollback', 'rollback web production " +
                 std::to_string(i) + "', 'U01', 'C01', '{}', 'digest-" + std::to_string(i) +
                 "', 1, 'awaiting_approval', 1000, 2000, 1000)");
    }
    sql.exec("UPDATE actions SET state = 'approved' WHERE seq IN (1, 2)");
    sql.exec("UPDATE actions SET state = 'running' WHERE seq IN (1, 2)");
    sql.exec("UPDATE actions SET state = 'succeeded' WHERE seq = 2");
    sql.exec("INSERT INTO approvals (action_seq, user_id, decision, plan_digest, decided_at_ms) "
             "VALUES (1, 'U02', 'approve', 'digest-1', 1500)");
    sql.exec("INSERT INTO locks VALUES ('web', 'production', 'A-1', 'rollback', 1500, 999999999999999)");
    sql.exec("INSERT INTO watches (action_seq, family, title, service, environment, requester, channel, thread_ts, "
             "started_at_ms, ends_at_ms, next_check_at_ms, state) VALUES (2, 'rollback', 't', 'web', 'production', "
             "'U01', 'C01', '1.1', 1000, 2000, 1000, 'watching')");
    // The previous schema has no `stopped`: this is what migration 8 changes.
    CHECK_THROWS_WITH(sql.exec("UPDATE actions SET state = 'stopped' WHERE seq = 1"),
                      Catch::Contains("illegal action state transition"));
}

}  // namespace

TEST_CASE("a schema-7 database is upgraded: its actions, approvals, locks and watches stay, and Stop works") {
    testing::temp_db_path path;
    make_schema_7_database(path.str());

    testing::stores s(path.str());
    // Upgraded through 8 (stopped) to the newest (9: waits for a person, which the running A-1 does not have).
    CHECK(s.db.schema_version() == database::latest_schema_version());
    CHECK(database::latest_schema_version() >= 8);
    CHECK(s.state_of(action_id{"A-1"}) == "running");
    CHECK(s.state_of(action_id{"A-2"}) == "succeeded");
    CHECK(s.state_of(action_id{"A-3"}) == "awaiting_approval");
    CHECK(s.actions.get(action_id{"A-3"})->subject == "rollback web production 3");
    auto decisions = s.approvals.decisions(action_id{"A-1"});
    REQUIRE(decisions);
    REQUIRE(decisions->size() == 1);
    CHECK(decisions->front().user.str() == "U02");
    {
        auto session = s.db.acquire();
        CHECK(testing::scalar(session, "PRAGMA foreign_keys").as_int() == 1);
        sql::statement dangling(session.sql(), "PRAGMA foreign_key_check");
        CHECK_FALSE(dangling.step());
        // The other tables still point at `actions`, not at the copy the migration made and dropped.
        CHECK(testing::scalar(session, "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%actions_before_v8%'")
                  .as_int() == 0);
        CHECK_THROWS(session.sql().run_script("INSERT INTO approvals (action_seq, user_id, decision, plan_digest, decided_at_ms) "
                              "VALUES (99, 'U03', 'approve', 'x', 1)"));
    }

    // The new state, under the same guards as before.
    REQUIRE(s.actions.transition(action_id{"A-1"}, action_state::running, action_state::stopped, "opsbot",
                                 {{"stopped_by", "U02"}}));
    CHECK(s.state_of(action_id{"A-1"}) == "stopped");
    auto locks = s.locks.list_active();
    REQUIRE(locks);
    CHECK(locks->empty());  // a terminal state frees the action's locks
    CHECK_THROWS_WITH(s.raw("UPDATE actions SET state = 'running' WHERE seq = 1"),
                      Catch::Contains("illegal action state transition"));
    CHECK_THROWS_WITH(s.raw("UPDATE actions SET plan_digest = 'other' WHERE seq = 3"), Catch::Contains("immutable"));
    CHECK_THROWS(s.raw("DELETE FROM actions WHERE seq = 3"));
    // Ids go on from where they were: never reused.
    CHECK(s.request().str() == "A-4");
}
