// /migrate staging then production, step by step through run_step, against a real PostgreSQL, with
// prisma_standin as the deploy command and a loopback /health. Skips when OPSBOT_TEST_PG_URL is unset.
#include "bot/families.hpp"
#include "adapters/health.hpp"
#include "adapters/subprocess.hpp"
#include "commands/database/migrate_plan.hpp"
#include "commands/incident/migration_failed.hpp"
#include "commands/database/migrate_status.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/sha256.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/fake_health.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

using opsbot::testing::read_file;

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

constexpr const char* password = "Migrate-Pass-9931zz";
std::map<std::string, std::string> g_env;

std::optional<std::string> test_env(const std::string& name) {
    auto it = g_env.find(name);
    return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

struct migrate_world {
    std::string admin;
    testing::scratch_database staging;
    testing::scratch_database production;
    std::string dir = testing::make_temp_dir("opsbot-migrate");
    std::string workdir;
    system_clock clk;
    storage::database audit_db{dir + "/opsbot.db"};
    testing::fake_health staging_health;
    testing::fake_health production_health;
    stack_config config;
    commands::platform_registry platforms;
    std::vector<std::string> texts;  // every outcome and error the steps produced
    error_kind failure_kind = error_kind::internal;
    std::ostringstream log_capture;

    migrate_world(const std::string& admin_url, const std::string& fixture)
        : admin(admin_url), staging(admin_url, "opsbot_mig_stg"), production(admin_url, "opsbot_mig_prd"),
          workdir(testing::copy_prisma_fixture(fixture)) {
        g_env = {{"STAGING_DATABASE_URL", staging.url(password)},
                 {"PRODUCTION_DATABASE_URL", production.url(password)}};
        migrations_config m;
        m.workdir = workdir;
        m.deploy_command = {testing::prisma_standin_path(), "migrate", "deploy"};
        m.backup_dir = dir + "/backups";
        m.timeout = std::chrono::seconds{60};
        config.migrations = m;
        config.databases["staging"] = database_config{"STAGING_DATABASE_URL"};
        config.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
        service_config api;
        api.name = "api";
        api.platform = opsbot::platform_kind::railway;
        api.health_url = {{"staging", staging_health.url()}, {"production", production_health.url()}};
        config.services["api"] = api;
        platforms.health = adapters::make_health_checker(adapters::http_options{});
        platforms.database = commands::database_tools{m, config.databases, &audit_db, &test_env};
        spdlog::default_logger()->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_capture));
    }
    ~migrate_world() {
        spdlog::default_logger()->sinks().pop_back();
        std::error_code ec;
        fs::remove_all(dir, ec);
        fs::remove_all(workdir, ec);
    }

    result<commands::plan> plan(const std::string& env) {
        boost::json::object request{{"family", "migrate"}, {"subcommand", env}, {"args", boost::json::object{}}};
        return opsbot::bot::opsbot_families().plan_again(request, {config, platforms, clk});
    }
    /// Runs the steps in order and stops at the first failure, like the executor; returns the failed index.
    std::optional<size_t> run(const commands::plan& p, std::string& failure,
                              const std::function<void(size_t)>& before_step = {}) {
        commands::step_environment env{platforms, clk, [](std::chrono::milliseconds) {},
                                       std::chrono::milliseconds{1}};
        env.steps = &opsbot::bot::opsbot_families().steps();
        for (size_t i = 0; i < p.steps.size(); ++i) {
            if (before_step) {
                before_step(i);
            }
            auto r = commands::run_step(p.steps[i], env);
            texts.push_back(r ? *r : r.error().message);
            if (!r) {
                failure = r.error().message;
                failure_kind = r.error().kind;
                return i;
            }
        }
        return std::nullopt;
    }
    void check_no_password() {
        for (const auto& t : texts) {
            CHECK(t.find(password) == std::string::npos);
        }
        CHECK(read_file(audit_db.path()).find(password) == std::string::npos);
        spdlog::default_logger()->flush();
        CHECK(log_capture.str().find(password) == std::string::npos);
    }
};

}  // namespace

TEST_CASE("production is refused until staging is migrated and verified, then both run", "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "basic");
    commands::command_context ctx{w.config, w.platforms, &w.audit_db, w.clk};
    commands::parsed_command status_cmd;
    status_cmd.family = "migrate";
    status_cmd.subcommand = "status";
    auto fresh = commands::migrate_status_reply(status_cmd, ctx);
    // No _prisma_migrations table yet: every folder is pending, as `prisma migrate status` lists them (item 11).
    for (const char* env : {"*staging*", "*production*"}) {
        CHECK(fresh.text.find(std::string(env) + ": 2 migrations found, 0 applied (no `_prisma_migrations` table "
                                                 "yet") != std::string::npos);
    }
    CHECK(fresh.text.find("pending (2): `20261101000000_init`, `20261102000000_add_orders`") != std::string::npos);

    auto refused = w.plan("production");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::forbidden);
    CHECK(refused.error().message.find("not applied on staging") != std::string::npos);

    auto staging = w.plan("staging");
    REQUIRE(staging);
    std::vector<std::string> kinds;
    for (const auto& s : staging->steps) {
        kinds.push_back(s.kind);
        CHECK(boost::json::serialize(s.params).find(password) == std::string::npos);
        CHECK(boost::json::serialize(s.params).find("postgresql://") == std::string::npos);
    }
    CHECK(kinds == std::vector<std::string>{"postgres.backup", "prisma.deploy", "prisma.status", "health.check",
                                            "migrate.verified"});
    std::string failure;
    auto failed = w.run(*staging, failure);
    INFO(failure);
    REQUIRE_FALSE(failed);
    CHECK(w.staging_health.request_count() == 1);
    status_cmd.args["env"] = "staging";
    auto migrated = commands::migrate_status_reply(status_cmd, ctx);
    CHECK(migrated.text.find("*staging*: 2 migrations found, 2 applied — database schema is up to date.") !=
          std::string::npos);
    CHECK(migrated.text.find("production") == std::string::npos);
    CHECK(w.staging.scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") == "2");

    auto prod = w.plan("production");
    INFO((prod ? std::string() : prod.error().message));
    REQUIRE(prod);
    CHECK(prod->steps.front().kind == "postgres.backup");
    CHECK(prod->steps.back().kind == "health.check");
    REQUIRE_FALSE(w.run(*prod, failure));
    CHECK(w.production.scalar("SELECT count(*) FROM \"User\"") == "25");
    CHECK(w.production_health.request_count() == 1);

    // Nothing pending any more: a new plan says so.
    auto again = w.plan("staging");
    REQUIRE_FALSE(again);
    CHECK(again.error().message.find("up to date") != std::string::npos);
    w.check_no_password();
}

TEST_CASE("production is refused when staging applied a different migration.sql", "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "basic");
    auto staging = w.plan("staging");
    REQUIRE(staging);
    std::string failure;
    REQUIRE_FALSE(w.run(*staging, failure));
    std::ofstream(w.workdir + "/prisma/migrations/20261102000000_add_orders/migration.sql", std::ios::app)
        << "-- changed after staging\n";
    auto prod = w.plan("production");
    REQUIRE_FALSE(prod);
    CHECK(prod.error().message.find("different migration.sql") != std::string::npos);
}

TEST_CASE("a failing migration stops the plan with the runbook §8 report", "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "failing");
    auto staging = w.plan("staging");
    REQUIRE(staging);
    std::string report;
    auto failed_at = w.run(*staging, report);
    REQUIRE(failed_at);
    CHECK(staging->steps[*failed_at].kind == "prisma.deploy");
    CHECK(report.find("Do NOT roll back application code yet") != std::string::npos);
    CHECK(report.find("FAILED: 20261103000000_broken") != std::string::npos);
    CHECK(report.find("relation \"Account\" does not exist") != std::string::npos);
    CHECK(report.find("partially applied") != std::string::npos);
    CHECK(report.find("pg_restore --no-owner --exit-on-error --single-transaction -d") != std::string::npos);
    CHECK(report.find("createdb " + w.staging.name() + "_restore_") != std::string::npos);
    CHECK(report.find("STAGING_DATABASE_URL") != std::string::npos);
    // The backup this plan took is the one named.
    auto backup = commands::latest_backup_file(&w.audit_db, w.clk, "staging");
    REQUIRE(backup);
    CHECK(report.find(*backup) != std::string::npos);
    // Steps after the failure did not run: no health check, no verification recorded.
    CHECK(w.staging_health.request_count() == 0);
    storage::audit_log log(w.audit_db, w.clk);
    auto entries = log.entries();
    REQUIRE(entries);
    for (const auto& e : *entries) {
        CHECK(e.event != "verify.succeeded");
    }
    // The recovery the report prescribes works: restore into a fresh database has no partial column.
    testing::scratch_database fresh(*admin, "opsbot_mig_restore");
    adapters::subprocess_options restore;
    restore.argv = {"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "-d", fresh.url(),
                    *backup};
    auto restored = adapters::run_subprocess(restore);
    REQUIRE(restored);
    REQUIRE(restored->ok());
    CHECK(fresh.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'") == "0");
    CHECK(w.staging.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'") == "1");
    // A new plan is refused while the failed row exists.
    auto blocked = w.plan("staging");
    REQUIRE_FALSE(blocked);
    CHECK(blocked.error().message.find("P3009") != std::string::npos);
    w.check_no_password();
}

namespace {

/// Runs `p` and, right before its prisma.deploy step (after the backup), calls `change`.
std::optional<size_t> run_changing_before_deploy(migrate_world& w, const commands::plan& p, std::string& failure,
                                                 const std::function<void()>& change) {
    return w.run(p, failure, [&](size_t i) {
        if (p.steps[i].kind == "prisma.deploy") {
            change();
        }
    });
}

std::string no_table(testing::scratch_database& db) {
    return db.scalar("SELECT to_regclass('_prisma_migrations') IS NULL AND to_regclass('\"User\"') IS NULL");
}

}  // namespace

TEST_CASE("the plan binds each pending migration's name and the SHA-256 of its migration.sql", "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "basic");
    auto p = w.plan("staging");
    REQUIRE(p);
    const auto& deploy = p->steps.at(1);
    REQUIRE(deploy.kind == "prisma.deploy");
    const auto& approved = deploy.params.at("approved").as_array();
    REQUIRE(approved.size() == 2);
    CHECK(approved[0].as_object().at("name").as_string() == "20261101000000_init");
    CHECK(approved[0].as_object().at("checksum").as_string() ==
          sha256_hex(read_file(w.workdir + "/prisma/migrations/20261101000000_init/migration.sql")));
    // An edit changes the plan's digest: an approval of the old files does not hold for the new ones.
    const std::string before = p->digest();
    std::ofstream(w.workdir + "/prisma/migrations/20261102000000_add_orders/migration.sql", std::ios::app) << "\n";
    auto edited = w.plan("staging");
    REQUIRE(edited);
    CHECK(edited->digest() != before);
}

TEST_CASE("migration files changed between plan and deploy are not applied: the action fails, nothing ran",
          "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "basic");
    auto p = w.plan("staging");
    REQUIRE(p);
    std::function<void()> change;
    std::string expected;
    SECTION("an edited migration.sql") {
        change = [&] {
            std::ofstream(w.workdir + "/prisma/migrations/20261102000000_add_orders/migration.sql", std::ios::app)
                << "DROP TABLE \"User\";\n";
        };
        expected = "`20261102000000_add_orders/migration.sql` was edited after approval";
    }
    SECTION("a new migration folder") {
        change = [&] {
            fs::create_directories(w.workdir + "/prisma/migrations/20261105000000_sneaky");
            std::ofstream(w.workdir + "/prisma/migrations/20261105000000_sneaky/migration.sql") << "SELECT 1;\n";
        };
        expected = "`20261105000000_sneaky` appeared after approval";
    }
    std::string failure;
    auto failed = run_changing_before_deploy(w, *p, failure, change);
    REQUIRE(failed);
    CHECK(p->steps[*failed].kind == "prisma.deploy");
    CHECK(w.failure_kind == error_kind::changed_since_approval);
    CHECK(failure.starts_with("production changed since approval: "));
    CHECK(failure.find(expected) != std::string::npos);
    CHECK(no_table(w.staging) == "t");  // the deploy command never ran
    CHECK(w.staging_health.request_count() == 0);
}

TEST_CASE("production is refused at the deploy step when staging's applied checksum changed after approval",
          "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_world w(*admin, "basic");
    auto staging = w.plan("staging");
    REQUIRE(staging);
    std::string failure;
    REQUIRE_FALSE(w.run(*staging, failure));
    auto prod = w.plan("production");
    REQUIRE(prod);
    // After the backup, right before the deploy: staging now shows another migration.sql applied.
    auto failed = run_changing_before_deploy(w, *prod, failure, [&] {
        w.staging.exec("UPDATE _prisma_migrations SET checksum = repeat('f', 64) WHERE migration_name = "
                       "'20261102000000_add_orders'");
    });
    REQUIRE(failed);
    CHECK(prod->steps[*failed].kind == "prisma.deploy");
    CHECK(w.failure_kind == error_kind::changed_since_approval);
    CHECK(failure.find("staging applied `20261102000000_add_orders` from a different migration.sql") !=
          std::string::npos);
    CHECK(failure.find("Nothing was applied to production") != std::string::npos);
    CHECK(no_table(w.production) == "t");
}

TEST_CASE("a failed migration's report, status and incident reply show the error line, never the row data",
          "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    const std::string row_value = "row-secret-4471@example.com";
    migrate_world w(*admin, "duplicate");
    auto p = w.plan("staging");
    REQUIRE(p);
    std::string report;
    auto failed = w.run(*p, report);
    REQUIRE(failed);
    CHECK(p->steps[*failed].kind == "prisma.deploy");
    // The logs column holds PostgreSQL's DETAIL with the duplicated value: it exists, and is never shown.
    REQUIRE(w.staging.scalar("SELECT count(*) FROM _prisma_migrations WHERE logs LIKE '%" + row_value + "%'") == "1");
    INFO(report);
    CHECK(report.find("FAILED: 20261102000000_unique_email") != std::string::npos);
    CHECK(report.find("could not create unique index") != std::string::npos);
    CHECK(report.find(row_value) == std::string::npos);

    // Prisma's own logs carry the value twice more (DETAIL and its DbError dump): neither shows anywhere.
    w.staging.exec("UPDATE _prisma_migrations SET logs = 'Migration name: 20261102000000_unique_email' || chr(10) || "
                   "chr(10) || 'Database error code: 23505' || chr(10) || chr(10) || 'Database error:' || chr(10) || "
                   "'ERROR: could not create unique index \"User_email_key\"' || chr(10) || 'DETAIL: Key (email)=(" +
                   row_value + ") is duplicated.' || chr(10) || chr(10) || 'DbError { severity: \"ERROR\", code: "
                   "SqlState(E23505), detail: Some(\"Key (email)=(" + row_value + ") is duplicated.\") }' "
                   "WHERE finished_at IS NULL");
    commands::command_context ctx{w.config, w.platforms, &w.audit_db, w.clk};
    commands::parsed_command status_cmd;
    status_cmd.family = "migrate";
    status_cmd.subcommand = "status";
    status_cmd.args["env"] = "staging";
    auto status = commands::migrate_status_reply(status_cmd, ctx);
    CHECK(status.text.find("Database error code: 23505; ERROR: could not create unique index") != std::string::npos);
    CHECK(status.text.find(row_value) == std::string::npos);
    commands::parsed_command incident;
    incident.family = "incident";
    incident.subcommand = "migration-failed";
    incident.args["env"] = "staging";
    auto triage = commands::migration_failed_reply(incident, ctx);
    INFO(triage.text);
    CHECK(triage.text.find("Database error code: 23505; ERROR: could not create unique index") != std::string::npos);
    CHECK(triage.text.find(row_value) == std::string::npos);
}
