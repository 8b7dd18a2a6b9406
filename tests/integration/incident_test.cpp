// /incident (issue #7, runbook §8): site-down and secret-leaked end to end through the real runtime and the fakes
// (bot_harness), errors and the site-down plan against the fakes through the real adapters (deploy_world), and
// migration-failed against a real PostgreSQL (skipped when OPSBOT_TEST_PG_URL is unset).
#include "commands/incident/errors.hpp"
#include "commands/incident/migration_failed.hpp"
#include "commands/incident/site_down.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/integration/deploy_test_fixture.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace opsbot;
using namespace opsbot::testing;

namespace {

using namespace std::chrono_literals;

bool has_event(const std::vector<std::string>& events, const std::string& event) {
    return std::find(events.begin(), events.end(), event) != events.end();
}

std::vector<sim::recorded_message> thread_posts(bot_harness& h, const std::string& ts) {
    std::vector<sim::recorded_message> out;
    for (auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == ts) {
            out.push_back(std::move(m));
        }
    }
    return out;
}

std::string all_text(const std::vector<sim::recorded_message>& messages) {
    std::string out;
    for (const auto& m : messages) {
        out += text_of(m) + "\n";
    }
    return out;
}

/// /incident may run for deployers; the web app's "site load" is the fake health server (answers 200).
harness_options incident_options() {
    harness_options o;
    o.configure = [](stack_config& c) {
        c.policies["incident"].run = "deployers";
        c.services.at("web").url = c.services.at("api").health_url.at("production");
    };
    return o;
}

commands::parsed_command incident_command(std::string subcommand, std::map<std::string, std::string> args = {}) {
    commands::parsed_command c;
    c.family = "incident";
    c.subcommand = std::move(subcommand);
    c.args = std::move(args);
    c.implemented = true;
    c.user = user_id{"U01"};
    c.channel = channel_id{"C0123OPS"};
    return c;
}

fake_sentry_issue sentry_issue(std::string id, std::string title, std::string culprit, std::string first_seen) {
    fake_sentry_issue i;
    i.id = id;
    i.short_id = "API-" + id;
    i.title = std::move(title);
    i.culprit = std::move(culprit);
    i.first_seen = first_seen;
    i.last_seen = first_seen;
    i.count = 12;
    return i;
}

}  // namespace

// ---------------------------------------------------------------------------------------------- site-down

TEST_CASE("site-down: one plan rolls back web and api after a second person approves, then checks health and web",
          "[incident]") {
    bot_harness h(incident_options());
    h.command(requester, "/incident", "site-down");

    auto posted = h.message_of("A-1");
    REQUIRE(posted);
    const std::string plan = text_of(*posted);
    CHECK(contains(plan, "Site down"));
    CHECK(contains(plan, vercel_live));
    CHECK(contains(plan, vercel_target));
    CHECK(contains(plan, railway_live));
    CHECK(contains(plan, railway_target));
    CHECK(contains(plan, "status"));  // the /health step
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.railway_rollbacks() == 0);

    // The requester cannot approve their own emergency.
    REQUIRE(h.button("A-1", "approve"));
    h.click_now(requester, *h.button("A-1", "approve"));
    h.settle();
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);

    const size_t health_before = h.health().request_count();
    h.click(approver_a, "A-1", "approve");

    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.vercel().deployment(vercel_target)->ready_substate == "PROMOTED");
    // /health (a plan step) and the web load (the follow-up) both asked the fake.
    CHECK(h.health().request_count() >= health_before + 2);
    const auto thread = all_text(thread_posts(h, posted->ts));
    CHECK(contains(thread, "Succeeded"));
    CHECK(contains(thread, "Web loads"));
    auto events = h.audit_events("A-1");
    CHECK(has_event(events, "step.succeeded"));
    CHECK(has_event(events, "incident.web_check"));
    CHECK(contains(all_text(messages_in(h.slack(), incident_channel)), "Site down"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("site-down with Vercel's rollback job failing: the action fails with both runbook fallbacks", "[incident]") {
    bot_harness h(incident_options());
    h.command(requester, "/incident", "site-down");
    REQUIRE(h.message_of("A-1"));
    h.vercel().fail_next_alias_job();
    h.click(approver_a, "A-1", "approve");

    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.railway_rollbacks() == 0);  // steps stop at the first failure
    const auto incidents = all_text(messages_in(h.slack(), incident_channel));
    CHECK(contains(incidents, "failed"));
    CHECK(contains(incidents, "Vercel"));
    CHECK(contains(incidents, "Railway"));
    CHECK_FALSE(has_event(h.audit_events("A-1"), "incident.web_check"));
    CHECK(h.active_locks() == 0);
}

TEST_CASE("site-down with Vercel unreachable: plans the api rollback and says web was left out", "[incident]") {
    auto options = incident_options();
    auto base = options.configure;
    options.configure = [base](stack_config& c) {
        base(c);
        c.services.at("web").api_url = "http://127.0.0.1:1";  // nothing listens: connection refused
    };
    bot_harness h(options);
    h.command(requester, "/incident", "site-down");
    auto posted = h.message_of("A-1");
    REQUIRE(posted);
    const std::string plan = text_of(*posted);
    CHECK(contains(plan, "Not rolled back"));
    CHECK(contains(plan, "could not read Vercel"));
    CHECK(contains(plan, railway_target));
    CHECK_FALSE(contains(plan, vercel_target));

    h.click(approver_a, "A-1", "approve");
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("site-down plans what can be done when only one service has a previous deployment", "[incident]") {
    deploy_world w;  // web: dpl_Live with dpl_Old before it; api: only dep-live in production
    auto planned = commands::plan_site_down(w.config, w.platforms, w.clk);
    REQUIRE(planned);
    CHECK(planned->family == "rollback");
    CHECK(planned->service == "web");
    REQUIRE_FALSE(planned->steps.empty());
    CHECK(planned->steps.front().kind == "vercel.rollback");
    CHECK(planned->steps.front().params.at("to").as_string() == "dpl_Old");
    bool railway = std::any_of(planned->steps.begin(), planned->steps.end(),
                               [](const auto& s) { return s.kind == "railway.rollback"; });
    CHECK_FALSE(railway);
    std::string impact;
    for (const auto& line : planned->impact) {
        impact += line + "\n";
    }
    CHECK(contains(impact, "api: nothing to roll back to"));

    SECTION("and refuses when no service has one") {
        w.vercel.knobs().fail_next(403, R"({"error":{"code":"forbidden","message":"Not authorized"}})");
        auto none = commands::plan_site_down(w.config, w.platforms, w.clk);
        REQUIRE_FALSE(none);
        CHECK(contains(none.error().message, "Nothing can be rolled back"));
        CHECK(contains(none.error().message, "web"));
        CHECK(contains(none.error().message, "api"));
    }
}

// ---------------------------------------------------------------------------------------------- errors

TEST_CASE("errors: new Sentry issues since the current deployment, grouped with the runbook's advice", "[incident]") {
    deploy_world w;  // api's dep-live (11:00) is the newest production deployment; now is 12:00
    w.sentry.set_issues({
        sentry_issue("1", "Unauthorized: session lookup failed", "middleware/requireAuth", "2026-11-26T11:20:00Z"),
        sentry_issue("2", "Error: connect ETIMEDOUT 10.0.0.4:6379", "ioredis", "2026-11-26T11:30:00Z"),
        sentry_issue("3", "TypeError: x.map is not a function", "components/BroadcastList", "2026-11-26T11:40:00Z"),
        sentry_issue("4", "Old problem from before the deploy", "lib/old", "2026-11-26T10:30:00Z"),
    });
    auto r = commands::incident_errors_reply(incident_command("errors"), w.context());
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "dep-live"));
    CHECK(contains(r.text, "2026-11-26T11:00:00Z"));
    CHECK(contains(r.text, "3 new issue(s)"));
    CHECK(contains(r.text, "Core functionality"));
    CHECK(contains(r.text, "Roll back now"));
    CHECK(contains(r.text, "`/rollback api`"));
    CHECK(contains(r.text, "Watch for 5 minutes"));
    CHECK(contains(r.text, "targeted fix"));
    CHECK(contains(r.text, "heuristic"));
    CHECK_FALSE(contains(r.text, "Old problem"));
    CHECK(r.notify_incident);
    CHECK(contains(r.incident_summary, "/rollback api"));
    // The query started at the deployment: Sentry was asked with that start.
    auto requests = w.sentry.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(contains(requests.back().query.at("query"), "firstSeen:>=2026-11-26T11:00:00Z"));
}

TEST_CASE("errors: only isolated or transient issues do not call for a rollback", "[incident]") {
    deploy_world w;
    w.sentry.set_issues({sentry_issue("5", "Request failed with status code 503", "fetchProfile",
                                      "2026-11-26T11:10:00Z"),
                         sentry_issue("6", "RangeError in chart", "components/Chart", "2026-11-26T11:15:00Z")});
    auto r = commands::incident_errors_reply(incident_command("errors"), w.context());
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "Transient"));
    CHECK(contains(r.text, "Isolated"));
    CHECK_FALSE(contains(r.text, "Roll back now"));
    CHECK_FALSE(r.notify_incident);
}

TEST_CASE("errors: no new issues, Sentry down, Sentry slow, Sentry not configured", "[incident]") {
    deploy_world w;
    SECTION("no new issues") {
        auto r = commands::incident_errors_reply(incident_command("errors"), w.context());
        CHECK_FALSE(r.is_error);
        CHECK(contains(r.text, "No new issues"));
    }
    SECTION("Sentry answers 500") {
        w.sentry.knobs().fail_next(500, R"({"detail":"Internal Error"})");
        auto r = commands::incident_errors_reply(incident_command("errors"), w.context());
        CHECK(r.is_error);
        CHECK(contains(r.text, "Sentry could not be read"));
        CHECK_FALSE(r.notify_incident);
    }
    SECTION("Sentry does not answer in time") {
        w.sentry.knobs().block();
        commands::deploy_timeouts t;
        t.checklist = 500ms;
        auto r = commands::incident_errors_reply(incident_command("errors"), w.context(), t);
        CHECK(r.is_error);
        CHECK(contains(r.text, "Sentry did not answer"));
    }
    SECTION("no monitoring.sentry") {
        w.config.monitoring.sentry.reset();
        auto r = commands::incident_errors_reply(incident_command("errors"), w.context());
        CHECK(r.is_error);
        CHECK(contains(r.text, "Sentry is not configured"));
    }
}

// ---------------------------------------------------------------------------------------------- migration-failed

namespace {

constexpr const char* pg_password = "Incident-Pass-4417qq";
std::map<std::string, std::string> g_env;

std::optional<std::string> pg_env(const std::string& name) {
    auto it = g_env.find(name);
    return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

struct migration_world {
    scratch_database production;
    manual_clock clk{at("2026-11-27T10:15:00Z")};
    storage::database db{":memory:"};
    stack_config config;
    commands::platform_registry platforms;

    explicit migration_world(const std::string& admin) : production(admin, "opsbot_incident") {
        g_env["INCIDENT_PRODUCTION_DATABASE_URL"] = production.url(pg_password);
        config.databases = {{"production", {"INCIDENT_PRODUCTION_DATABASE_URL"}}};
        commands::database_tools tools;
        tools.databases = config.databases;
        tools.audit_db = &db;
        tools.env = pg_env;
        platforms.database = tools;
    }

    void create_table() {
        production.exec("CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) "
                        "NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, "
                        "rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                        "applied_steps_count INTEGER NOT NULL DEFAULT 0)");
    }
    void add_row(const std::string& id, const std::string& name, const std::string& started,
                 const std::string& finished, const std::string& logs) {
        production.exec("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, logs) "
                        "VALUES ('" + id + "', 'abc', '" + name + "', '" + started + "', " +
                        (finished.empty() ? std::string("NULL") : "'" + finished + "'") + ", " +
                        (logs.empty() ? std::string("NULL") : "'" + logs + "'") + ")");
    }
    void record_backup(const std::string& at_time, const std::string& file) {
        clk.set(at(at_time));
        storage::audit_log log(db, clk);
        REQUIRE(log.append({"U01", std::nullopt, "backup.created",
                            {{"environment", "production"},
                             {"file", file},
                             {"bytes", 1234},
                             {"sha256", "feedbeef0123456789"}}}));
        clk.set(at("2026-11-27T10:15:00Z"));
    }
    commands::reply ask() {
        return commands::migration_failed_reply(incident_command("migration-failed", {{"env", "production"}}),
                                                {config, platforms, &db, clk});
    }
    void check_no_secret(const std::string& text) {
        CHECK_FALSE(contains(text, pg_password));
        CHECK_FALSE(contains(text, production.url()));
        CHECK_FALSE(contains(text, "postgres://"));
        CHECK_FALSE(contains(text, "postgresql://"));
    }
};

}  // namespace

TEST_CASE("migration-failed: partial, clean, nothing failed, with and without a recorded backup",
          "[postgres][incident]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migration_world w(*admin);

    SECTION("no _prisma_migrations table") {
        auto r = w.ask();
        CHECK(contains(r.text, "not managed by Prisma Migrate"));
    }
    w.create_table();
    w.add_row("1", "20261120_init", "2026-11-20 10:00:00+00", "2026-11-20 10:00:02+00", "");

    SECTION("nothing failed") {
        auto r = w.ask();
        CHECK_FALSE(r.is_error);
        CHECK(contains(r.text, "Do NOT roll back application code yet"));
        CHECK(contains(r.text, "ORDER BY started_at DESC LIMIT 5"));
        CHECK(contains(r.text, "20261120_init"));
        CHECK(contains(r.text, "Nothing failed"));
        CHECK_FALSE(contains(r.text, "pg_restore"));
    }
    SECTION("partial, with a backup recorded before the migration started") {
        w.record_backup("2026-11-26T09:00:00Z", "backups/production-old.dump");
        w.record_backup("2026-11-27T09:55:00Z", "backups/production-pre.dump");
        w.add_row("2", "20261127_drop_col", "2026-11-27 10:00:00+00", "",
                  "Database error code: 23505\nERROR: could not create unique index");
        w.record_backup("2026-11-27T10:05:00Z", "backups/production-after.dump");
        auto r = w.ask();
        CHECK_FALSE(r.is_error);
        CHECK(contains(r.text, "Do NOT roll back application code yet"));
        CHECK(contains(r.text, "Started but not finished"));
        CHECK(contains(r.text, "20261127_drop_col"));
        CHECK(contains(r.text, "createdb"));
        CHECK(contains(r.text, "pg_restore --no-owner --exit-on-error --single-transaction -d \"$NEW_DATABASE_URL\" "
                               "backups/production-pre.dump"));
        CHECK(contains(r.text, "INCIDENT_PRODUCTION_DATABASE_URL"));
        CHECK_FALSE(contains(r.text, "production-after.dump"));
        w.check_no_secret(r.text);
    }
    SECTION("partial, no backup recorded") {
        w.add_row("2", "20261127_drop_col", "2026-11-27 10:00:00+00", "", "");
        auto r = w.ask();
        CHECK(contains(r.text, "Started but not finished"));
        CHECK(contains(r.text, "No backup of production is recorded"));
        CHECK_FALSE(contains(r.text, "pg_restore --no-owner"));
        w.check_no_secret(r.text);
    }
    SECTION("partial, only a backup taken after the failure") {
        w.add_row("2", "20261127_drop_col", "2026-11-27 10:00:00+00", "", "");
        w.record_backup("2026-11-27T10:05:00Z", "backups/production-after.dump");
        auto r = w.ask();
        CHECK(contains(r.text, "production-after.dump"));
        CHECK(contains(r.text, "*after* the migration started"));
    }
    SECTION("clean: a syntax error") {
        w.record_backup("2026-11-27T09:55:00Z", "backups/production-pre.dump");
        w.add_row("2", "20261127_typo", "2026-11-27 10:00:00+00", "",
                  "Database error code: 42601\nERROR: syntax error at or near TABEL");
        auto r = w.ask();
        CHECK(contains(r.text, "Failed cleanly"));
        CHECK(contains(r.text, "migrate resolve --rolled-back 20261127_typo"));
        CHECK_FALSE(contains(r.text, "pg_restore --no-owner"));
        w.check_no_secret(r.text);
    }
}

// ---------------------------------------------------------------------------------------------- secret-leaked

namespace {

/// BETTER_AUTH_SECRET lives on the Railway api; its rotation is approved under `policies.rotate`.
harness_options leak_options() {
    auto o = incident_options();
    auto base = o.configure;
    o.configure = [base](stack_config& c) {
        base(c);
        c.policies["rotate"] = c.policies.at("rollback");
        secret_config secret;
        secret.name = "BETTER_AUTH_SECRET";
        secret.generate = opsbot::secret_generator::hex32;
        secret.services = {"api"};
        secret.impact = "All sessions are invalidated; users must log in again.";
        c.secrets[secret.name] = secret;
    };
    return o;
}

std::vector<storage::audit_entry> entries_of(const std::string& db_path, const std::string& event) {
    storage::database db(db_path, storage::open_mode::read_only);
    system_clock clk;
    auto entries = storage::audit_log(db, clk).entries();
    std::vector<storage::audit_entry> out;
    if (entries) {
        std::copy_if(entries->begin(), entries->end(), std::back_inserter(out),
                     [&](const auto& e) { return e.event == event; });
    }
    return out;
}

}  // namespace

TEST_CASE("secret-leaked: the checklist shows with the plan, the filled record is kept when the rotation ends",
          "[incident]") {
    bot_harness h(leak_options());
    h.command(requester, "/incident", "secret-leaked BETTER_AUTH_SECRET");
    auto posted = h.message_of("A-1");
    REQUIRE(posted);
    const std::string plan = text_of(*posted);
    CHECK(contains(plan, "Rotate BETTER_AUTH_SECRET"));
    CHECK(contains(plan, "leaked"));
    CHECK(contains(plan, "Leaked-secret checklist"));
    CHECK(contains(plan, "access logs"));
    CHECK(contains(plan, "every session is invalidated"));
    CHECK(contains(plan, "Notify affected users"));
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(entries_of(h.db_path(), "incident.record").empty());
    // The checklist is also in the plan's thread at once, before anyone approves (runbook §8: start now).
    size_t checklists_in_thread = 0;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == posted->ts && contains(text_of(m), "Leaked-secret checklist") &&
            contains(text_of(m), "access logs")) {
            ++checklists_in_thread;
        }
    }
    CHECK(checklists_in_thread == 1);

    SECTION("rotation succeeds") {
        h.click(approver_a, "A-1", "approve");
        CHECK(h.state_of("A-1") == "succeeded");
    }
    SECTION("rotation fails: the record is kept all the same") {
        h.railway().fail_next_deploy();
        h.click(approver_a, "A-1", "approve");
        CHECK(h.state_of("A-1") == "failed");
    }
    const bool succeeded = h.state_of("A-1") == "succeeded";
    auto records = entries_of(h.db_path(), "incident.record");
    REQUIRE(records.size() == 1);
    REQUIRE(records[0].action);
    CHECK(records[0].action->str() == "A-1");
    const std::string& detail = records[0].detail_json;
    CHECK(contains(detail, "\"what_leaked\":\"BETTER_AUTH_SECRET\""));
    CHECK(contains(detail, "exposure_window"));
    CHECK(contains(detail, "unknown \xE2\x80\x93 fill in"));
    CHECK(contains(detail, "All sessions are invalidated"));
    CHECK(contains(detail, succeeded ? "rotation A-1 succeeded" : "rotation A-1 failed"));
    const auto thread = all_text(thread_posts(h, posted->ts));
    CHECK(contains(thread, "Incident record"));
    CHECK(contains(thread, "Kept in the audit log"));
    CHECK(contains(all_text(messages_in(h.slack(), incident_channel)), "Leaked secret BETTER_AUTH_SECRET"));
    // One post for the leak in the incident channel: the rotation's notice, named for the leak, with the
    // per-service state of the new value; the record is in the thread it links to.
    size_t about_a1 = 0;
    for (const auto& m : messages_in(h.slack(), incident_channel, "chat.postMessage")) {
        about_a1 += contains(text_of(m), "A-1") ? 1 : 0;
    }
    CHECK(about_a1 == 1);
    CHECK(contains(all_text(messages_in(h.slack(), incident_channel)),
                   succeeded ? "rotation succeeded" : "rotation failed"));
    CHECK(h.audit_ok());
}
