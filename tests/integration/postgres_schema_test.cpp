// The bot's schema on PostgreSQL (storage/schema_postgres.cpp) on a real server: every trigger refuses what its
// SQLite twin refuses, with the same message and as sql::failure::refused_by_trigger, and a role given the bot's
// privileges cannot UPDATE or DELETE the append-only tables at all (issue 14 item 1).
#include "storage/action_state.hpp"
#include "storage/migration_runner.hpp"
#include "storage/postgres_connection.hpp"
#include "storage/schema_migrations.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/postgres_fixture.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <map>
#include <vector>

using namespace opsbot;
using namespace opsbot::storage;

namespace {

std::unique_ptr<sql::connection> connect(const std::string& url) {
    auto conn = open_postgres(url);
    INFO((conn ? std::string("connected") : conn.error().message));
    REQUIRE(conn);
    return std::move(*conn);
}

/// A scratch database with the bot's schema, and a connection to it.
struct schema_db {
    testing::scratch_database db;
    std::unique_ptr<sql::connection> conn;

    explicit schema_db(const std::string& admin) : db(admin, "pgschema"), conn(connect(db.url())) {
        apply_migrations(*conn, postgres_schema_migrations(), db.name());  // as the bot does on start
    }

    sql::result_rows run(std::string_view text, const std::vector<sql::value>& params = {}) {
        return conn->run(text, params);
    }

    std::int64_t new_action(const std::string& state = "awaiting_approval") {
        return run("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, "
                   "required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms) "
                   "VALUES ('deploy', 'web to production', 'U01', 'C01', '{}', 'digest', 1, ?, 1, 2, 1) RETURNING seq",
                   {state})
            .rows.at(0)
            .at(0)
            .as_int64();
    }

    void set_state(std::int64_t seq, action_state to) {
        run("UPDATE actions SET state = ?, updated_at_ms = 5 WHERE seq = ?", {std::string(to_string(to)), seq});
    }
};

/// The sql::error a call throws, or nullopt when it succeeds.
template <class F>
std::optional<sql::error> error_of(F&& call) {
    try {
        call();
    } catch (const sql::error& e) {
        return e;
    }
    return std::nullopt;
}

/// REQUIREs that `call` is refused by a trigger saying `message`.
template <class F>
void refused_by_trigger(F&& call, std::string_view message) {
    const auto e = error_of(call);
    REQUIRE(e);
    INFO(e->what());
    CHECK(e->kind() == sql::failure::refused_by_trigger);
    CHECK(std::string_view(e->what()).find(message) != std::string_view::npos);
}

template <class F>
void refused_by_constraint(F&& call) {
    const auto e = error_of(call);
    REQUIRE(e);
    INFO(e->what());
    CHECK(e->kind() == sql::failure::constraint);
}

// A legal path from awaiting_approval to each state (as tests/unit/storage/action_state_test.cpp).
const std::map<action_state, std::vector<action_state>> path_to{
    {action_state::awaiting_approval, {}},
    {action_state::approved, {action_state::approved}},
    {action_state::running, {action_state::approved, action_state::running}},
    {action_state::succeeded, {action_state::approved, action_state::running, action_state::succeeded}},
    {action_state::failed, {action_state::approved, action_state::running, action_state::failed}},
    {action_state::denied, {action_state::denied}},
    {action_state::cancelled, {action_state::cancelled}},
    {action_state::expired, {action_state::expired}},
    {action_state::interrupted, {action_state::approved, action_state::running, action_state::interrupted}},
    {action_state::stopped, {action_state::approved, action_state::running, action_state::stopped}},
};

/// A login role for the test, dropped after the database that granted it something (declare it first).
struct scratch_role {
    std::string admin;
    std::string name = "opsbot_bot_" + std::to_string(::getpid());
    explicit scratch_role(std::string admin_url) : admin(std::move(admin_url)) {
        testing::exec_admin(admin, "CREATE ROLE " + name + " LOGIN");
    }
    ~scratch_role() {
        try {
            testing::exec_admin(admin, "DROP ROLE IF EXISTS " + name);
        } catch (const std::exception&) {
            // Best effort: the cluster is thrown away after the run.
        }
    }
};

}  // namespace

TEST_CASE("the action state machine on PostgreSQL is can_transition(), pair by pair", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    schema_db s(*admin);
    for (action_state from : all_action_states) {
        for (action_state to : all_action_states) {
            INFO(to_string(from) << " -> " << to_string(to));
            const std::int64_t seq = s.new_action();
            for (action_state step : path_to.at(from)) {
                s.set_state(seq, step);
            }
            const auto e = error_of([&] { s.set_state(seq, to); });
            if (can_transition(from, to)) {
                CHECK_FALSE(e);
            } else {
                REQUIRE(e);
                CHECK(e->kind() == sql::failure::refused_by_trigger);
                CHECK(std::string_view(e->what()).find("illegal action state transition") != std::string_view::npos);
            }
        }
    }
}

TEST_CASE("actions start awaiting approval, keep their request fields and are never deleted", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    schema_db s(*admin);
    refused_by_trigger([&] { s.new_action("approved"); }, "a new action must start awaiting_approval");
    // A state the CHECK does not know is refused too (by the transition trigger first, as in SQLite).
    const std::int64_t seq = s.new_action();
    CHECK(error_of([&] { s.run("UPDATE actions SET state = 'bogus' WHERE seq = ?", {seq}); }));

    for (const std::string column : {"family", "requester", "plan_json", "plan_digest"}) {
        INFO(column);
        refused_by_trigger([&] { s.run("UPDATE actions SET " + column + " = 'x' WHERE seq = ?", {seq}); },
                           "action request fields are immutable");
    }
    for (const std::string column : {"seq", "required_approvals", "created_at_ms", "expires_at_ms"}) {
        INFO(column);
        refused_by_trigger([&] { s.run("UPDATE actions SET " + column + " = 99 WHERE seq = ?", {seq}); },
                           "action request fields are immutable");
    }
    // What may change: the message it was posted as, the update time (and the state, above).
    CHECK(s.run("UPDATE actions SET message_ts = '1.2', updated_at_ms = 9 WHERE seq = ?", {seq}).changed == 1);

    refused_by_trigger([&] { s.run("DELETE FROM actions WHERE seq = ?", {seq}); }, "actions are never deleted");
    refused_by_trigger([&] { s.run("TRUNCATE actions CASCADE"); }, "actions are never deleted");
    refused_by_constraint([&] {
        s.run("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, required_approvals, "
              "state, created_at_ms, expires_at_ms, updated_at_ms) "
              "VALUES ('deploy', 's', 'U01', 'C01', '{}', 'd', 0, 'awaiting_approval', 1, 2, 1)");
    });
    CHECK(s.db.scalar("SELECT count(*) FROM actions") == "1");
}

TEST_CASE("approvals and the audit log are append-only on PostgreSQL", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    schema_db s(*admin);
    const std::int64_t seq = s.new_action();
    const std::string approve =
        "INSERT INTO approvals (action_seq, user_id, decision, plan_digest, decided_at_ms) VALUES (?, ?, ?, 'd', 3)";
    CHECK(s.run(approve, {seq, "U02", "approve"}).changed == 1);
    refused_by_constraint([&] { s.run(approve, {seq, "U02", "deny"}); });  // one decision per person
    refused_by_constraint([&] { s.run(approve, {seq, "U03", "maybe"}); });
    refused_by_constraint([&] { s.run(approve, {seq + 100, "U03", "approve"}); });  // no such action
    refused_by_trigger([&] { s.run("UPDATE approvals SET decision = 'deny'"); }, "approvals are append-only");
    refused_by_trigger([&] { s.run("DELETE FROM approvals"); }, "approvals are append-only");
    refused_by_trigger([&] { s.run("TRUNCATE approvals"); }, "approvals are append-only");

    const std::string append = "INSERT INTO audit_log (seq, time, actor, action_id, event, detail, prev_hash, hash) "
                               "VALUES (?, '2026-12-06T10:00:00.000Z', 'U01', NULL, 'test', '{}', ?, ?)";
    s.run(append, {1, "0", "h1"});
    refused_by_constraint([&] { s.run(append, {1, "h1", "h2"}); });  // one entry per place in the chain
    refused_by_trigger([&] { s.run("UPDATE audit_log SET actor = 'U09'"); }, "the audit log is append-only");
    refused_by_trigger([&] { s.run("DELETE FROM audit_log WHERE seq = 1"); }, "the audit log is append-only");
    refused_by_trigger([&] { s.run("TRUNCATE audit_log"); }, "the audit log is append-only");
    CHECK(s.db.scalar("SELECT count(*) FROM approvals") == "1");
    CHECK(s.db.scalar("SELECT count(*) FROM audit_log") == "1");
}

TEST_CASE("break-glass uses and watches keep their SQLite rules on PostgreSQL", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    schema_db s(*admin);
    const std::int64_t seq = s.new_action();
    const std::string use =
        "INSERT INTO break_glass (action_seq, requester, reason, used_at_ms) VALUES (?, 'U01', ?, 4)";
    refused_by_constraint([&] { s.run(use, {seq, "   "}); });  // a reason is required
    s.run(use, {seq, "site down"});
    refused_by_trigger([&] { s.run("UPDATE break_glass SET reason = 'other'"); }, "break-glass use is immutable");
    refused_by_constraint([&] { s.run("UPDATE break_glass SET acknowledged_by = 'U01'"); });  // not by its requester
    CHECK(s.run("UPDATE break_glass SET acknowledged_by = 'U02', acknowledged_at_ms = 6").changed == 1);
    refused_by_trigger([&] { s.run("UPDATE break_glass SET acknowledged_by = 'U03'"); },
                       "break-glass use is already acknowledged");
    refused_by_trigger([&] { s.run("DELETE FROM break_glass"); }, "break-glass use is never deleted");

    const std::string watch = "INSERT INTO watches (action_seq, family, title, service, environment, requester, "
                              "channel, thread_ts, started_at_ms, ends_at_ms, next_check_at_ms, state) "
                              "VALUES (?, 'deploy', 't', 'web', 'production', 'U01', 'C01', '1.1', 10, ?, 10, ?)";
    refused_by_trigger([&] { s.run(watch, {seq, 20, "quiet"}); }, "a new watch must start watching");
    refused_by_constraint([&] { s.run(watch, {seq, 10, "watching"}); });  // it must end after it starts
    s.run(watch, {seq, 20, "watching"});
    // The defaults.
    CHECK(s.db.scalar("SELECT checks::text || failed_checks::text || last_error FROM watches") == "00");
    CHECK(s.run("UPDATE watches SET state = 'quiet', closed_at_ms = 21").changed == 1);
    refused_by_trigger([&] { s.run("UPDATE watches SET state = 'fired'"); }, "illegal watch state transition");
    refused_by_trigger([&] { s.run("DELETE FROM watches"); }, "watches are never deleted");

    // The waits come and go (no delete trigger) but keep their keys and checks.
    const std::int64_t other = s.new_action();
    const std::string wait = "INSERT INTO person_waits (action_seq, step_index, wait_key, requester, deadline_ms, "
                             "memo_json, created_at_ms) VALUES (?, 0, 'k1', 'U01', 9, '{}', 1)";
    s.run(wait, {seq});
    refused_by_constraint([&] { s.run(wait, {other}); });  // wait_key is unique
    CHECK(s.run("DELETE FROM person_waits").changed == 1);
    refused_by_constraint([&] {
        s.run("INSERT INTO poll_waits (action_seq, step_index, deadline_ms, next_poll_ms, polls, memo_json, "
              "created_at_ms) VALUES (?, 0, 9, 5, -1, '{}', 1)",
              {seq});
    });
}

TEST_CASE("a role given the bot's privileges cannot UPDATE or DELETE the append-only tables", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    scratch_role role(*admin);  // outlives the database, which holds its grants
    schema_db s(*admin);
    s.run("SELECT opsbot_grant_bot_role(?)", {role.name});

    auto bot = connect(s.db.url() + "&user=" + role.name);
    REQUIRE(bot->run("SELECT current_user", {}).rows.at(0).at(0).as_string() == role.name);
    auto run = [&](std::string_view text, const std::vector<sql::value>& params = {}) {
        return bot->run(text, params);
    };
    // What the stores do works, the write lock included.
    std::int64_t seq = 0;
    {
        sql::transaction tx(*bot);
        seq = run("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, "
                  "required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms) "
                  "VALUES ('deploy', 's', 'U01', 'C01', '{}', 'd', 1, 'awaiting_approval', 1, 2, 1) RETURNING seq")
                  .rows.at(0)
                  .at(0)
                  .as_int64();
        run("INSERT INTO approvals (action_seq, user_id, decision, plan_digest, decided_at_ms) "
            "VALUES (?, 'U02', 'approve', 'd', 3)",
            {seq});
        run("UPDATE actions SET state = 'approved', updated_at_ms = 4 WHERE seq = ?", {seq});
        run("INSERT INTO audit_log (seq, time, actor, event, detail, prev_hash, hash) "
            "VALUES (1, '2026-12-06T10:00:00.000Z', 'U01', 'test', '{}', '0', 'h1')");
        run("INSERT INTO locks VALUES ('web', 'production', 'A-1', 'deploy', 1, 2)");
        CHECK(run("DELETE FROM locks").changed == 1);
        // Replicas (migration 11): a lease registered, renewed and removed; an action's owner recorded.
        run("INSERT INTO replicas (id, started_at_ms, heartbeat_at_ms, lease_until_ms) VALUES ('r-1', 1, 1, 30001)");
        CHECK(run("UPDATE replicas SET heartbeat_at_ms = 2, lease_until_ms = 30002 WHERE id = 'r-1'").changed == 1);
        CHECK(run("UPDATE actions SET owner = 'r-1' WHERE seq = ?", {seq}).changed == 1);
        CHECK(run("DELETE FROM replicas WHERE id = 'r-1'").changed == 1);
        tx.commit();
    }
    // A replica started as the bot role reads the schema's version (and so runs no migration).
    CHECK(run("SELECT max(version) FROM schema_version").rows.at(0).at(0).as_int64() ==
          postgres_schema_migrations().back().version);

    // Refused by privilege, before any trigger runs: the triggers are not the only guard.
    for (const std::string statement :
         {"UPDATE approvals SET decision = 'deny'", "DELETE FROM approvals", "TRUNCATE approvals",
          "UPDATE audit_log SET actor = 'U09'", "DELETE FROM audit_log", "TRUNCATE audit_log",
          "DELETE FROM actions", "DELETE FROM break_glass", "DELETE FROM watches",
          "ALTER TABLE approvals DISABLE TRIGGER approvals_no_update",
          "SELECT opsbot_grant_bot_role(current_user::regrole)"}) {
        INFO(statement);
        const auto e = error_of([&] { run(statement); });
        REQUIRE(e);
        CHECK(e->kind() == sql::failure::other);
        const std::string_view why = e->what();
        CHECK((why.find("permission denied") != std::string_view::npos ||
               why.find("must be owner") != std::string_view::npos));
    }
    CHECK(s.db.scalar("SELECT count(*) FROM approvals") == "1");
    CHECK(s.db.scalar("SELECT count(*) FROM audit_log") == "1");
}
