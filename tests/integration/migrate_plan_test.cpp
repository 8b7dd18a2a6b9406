// /migrate staging then production, step by step through run_step, against a real PostgreSQL, with
// prisma_standin as the deploy command and a loopback /health. Skips when OPSBOT_TEST_PG_URL is unset.
#include "adapters/health.hpp"
#include "adapters/subprocess.hpp"
#include "commands/migrate_plan.hpp"
#include "commands/migrate_status.hpp"
#include "commands/planner.hpp"
#include "commands/step_runner.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/fake_health.hpp"
#include "tests/support/postgres_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

constexpr const char* password = "Migrate-Pass-9931zz";
std::map<std::string, std::string> g_env;

std::optional<std::string> test_env(const std::string& name) {
    auto it = g_env.find(name);
    return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
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
        api.platform = "railway";
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
        return commands::make_plan(config, platforms, request, clk);
    }
    /// Runs the steps in order and stops at the first failure, like the executor; returns the failed index.
    std::optional<size_t> run(const commands::plan& p, std::string& failure) {
        commands::step_environment env{platforms, clk, [](std::chrono::milliseconds) {},
                                       std::chrono::milliseconds{1}};
        for (size_t i = 0; i < p.steps.size(); ++i) {
            auto r = commands::run_step(p.steps[i], env);
            texts.push_back(r ? *r : r.error().message);
            if (!r) {
                failure = r.error().message;
                return i;
            }
        }
        return std::nullopt;
    }
    void check_no_password() {
        for (const auto& t : texts) {
            CHECK(t.find(password) == std::string::npos);
        }
        CHECK(slurp(audit_db.path()).find(password) == std::string::npos);
        spdlog::default_logger()->flush();
        CHECK(log_capture.str().find(password) == std::string::npos);
    }
};

}  // namespace

TEST_CASE("production is refused until staging is migrated and verified; then both run", "[postgres][migrate]") {
    auto admin = testing::test_pg_url();
    if (!admin) {
        WARN("OPSBOT_TEST_PG_URL not set: skipping (run `make test`)");
        return;
    }
    migrate_world w(*admin, "basic");
    commands::command_context ctx{w.config, w.platforms, &w.audit_db, w.clk};
    commands::parsed_command status_cmd;
    status_cmd.family = "migrate";
    status_cmd.subcommand = "status";
    auto fresh = commands::migrate_status_reply(status_cmd, ctx);
    CHECK(fresh.text.find("*staging*: the current database is not managed by Prisma Migrate") != std::string::npos);
    CHECK(fresh.text.find("*production*: the current database is not managed by Prisma Migrate") !=
          std::string::npos);

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
    auto admin = testing::test_pg_url();
    if (!admin) {
        WARN("OPSBOT_TEST_PG_URL not set: skipping (run `make test`)");
        return;
    }
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
    auto admin = testing::test_pg_url();
    if (!admin) {
        WARN("OPSBOT_TEST_PG_URL not set: skipping (run `make test`)");
        return;
    }
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
