// /migrate end to end through the fake Slack (issue #5): the real runtime, a real PostgreSQL, prisma_standin as
// the configured deploy command. staging → production with two-person approval each, a failing migration that
// reaches the incident channel, and the database password nowhere in Slack, the logs or the bot's database.
// Skips when OPSBOT_TEST_PG_URL is unset (`make test` sets it).
#include "tests/support/bot_harness.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using opsbot::testing::contains;
using opsbot::testing::read_file;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
namespace fs = std::filesystem;

constexpr const char* password = "Slack-Migrate-Pw-5517q";

/// Two scratch databases named by environment variables of this process (the bot reads the real environment),
/// a copy of a Prisma fixture, and a log capture on the default logger.
struct migrate_stack {
    scratch_database staging;
    scratch_database production;
    std::string workdir;
    std::string backups = make_temp_dir("opsbot-e2e-backups");
    std::shared_ptr<std::ostringstream> log = std::make_shared<std::ostringstream>();

    migrate_stack(const std::string& admin, const std::string& fixture)
        : staging(admin, "opsbot_e2e_stg"), production(admin, "opsbot_e2e_prd"), workdir(copy_prisma_fixture(fixture)) {
        ::setenv("OPSBOT_E2E_STAGING_DATABASE_URL", staging.url(password).c_str(), 1);
        ::setenv("OPSBOT_E2E_PRODUCTION_DATABASE_URL", production.url(password).c_str(), 1);
        spdlog::default_logger()->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(*log));
    }
    ~migrate_stack() {
        spdlog::default_logger()->sinks().pop_back();
        ::unsetenv("OPSBOT_E2E_STAGING_DATABASE_URL");
        ::unsetenv("OPSBOT_E2E_PRODUCTION_DATABASE_URL");
        std::error_code ec;
        fs::remove_all(workdir, ec);
        fs::remove_all(backups, ec);
    }

    harness_options options() const {
        harness_options o;
        o.configure = [this](stack_config& c) {
            migrations_config m;
            m.workdir = workdir;
            m.deploy_command = {prisma_standin_path(), "migrate", "deploy"};
            m.backup_dir = backups;
            m.timeout = std::chrono::seconds{60};
            c.migrations = m;
            c.databases["staging"] = database_config{"OPSBOT_E2E_STAGING_DATABASE_URL"};
            c.databases["production"] = database_config{"OPSBOT_E2E_PRODUCTION_DATABASE_URL"};
            // The harness's fake /health answers for both environments.
            c.services["api"].health_url["staging"] = c.services["api"].health_url["production"];
            policy_config migrate;
            migrate.run = "deployers";
            migrate.approve = "approvers";
            c.policies["migrate"] = migrate;
            c.policies["backup"] = migrate;
        };
        return o;
    }

    /// Every place the password must never reach: every Slack message of any kind, the log, the SQLite files.
    void check_no_password(bot_harness& h) {
        for (const auto& m : h.slack().messages("")) {
            INFO(m.kind << " in " << m.channel);
            CHECK_FALSE(contains(text_of(m), password));
            CHECK_FALSE(contains(boost::json::serialize(m.body), password));
        }
        for (const auto& ack : h.slack().acks()) {  // slash-command replies ride on the acks
            CHECK_FALSE(contains(boost::json::serialize(ack.ack), password));
        }
        spdlog::default_logger()->flush();
        CHECK_FALSE(contains(log->str(), password));
        for (const char* suffix : {"", "-wal", "-shm"}) {
            CHECK_FALSE(contains(read_file(h.db_path() + suffix), password));
        }
    }
};

std::string thread_text(bot_harness& h, const std::string& action);

std::string approve_and_run(bot_harness& h, const std::string& action) {
    REQUIRE(h.button(action, "approve"));
    h.click(approver_a, action, "approve");
    UNSCOPED_INFO("thread of " << action << ":\n" << thread_text(h, action));
    return h.state_of(action);
}

std::string thread_text(bot_harness& h, const std::string& action) {
    auto plan = h.message_of(action);
    REQUIRE(plan);
    std::string out;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == plan->ts) {
            out += text_of(m) + "\n";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("/migrate staging then production through Slack, each approved by a second person", "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_stack stack(*admin, "basic");
    bot_harness h(stack.options());

    // Production first is refused with the reason, and nothing is planned.
    h.command(requester, "/migrate", "production");
    CHECK_FALSE(h.message_of("A-1"));
    auto refusals = h.slack().messages("response_url");
    REQUIRE_FALSE(refusals.empty());
    CHECK(contains(text_of(refusals.back()), "not applied on staging"));

    h.command(requester, "/migrate", "staging");
    auto staging_plan = h.message_of("A-1");
    REQUIRE(staging_plan);
    CHECK(contains(text_of(*staging_plan), "prisma"));
    // The requester cannot approve their own migration.
    h.click(requester, "A-1", "approve");
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(stack.staging.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = '_prisma_migrations'") ==
          "0");

    CHECK(approve_and_run(h, "A-1") == "succeeded");
    CHECK(stack.staging.scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") == "2");
    CHECK(stack.production.scalar(
              "SELECT count(*) FROM information_schema.tables WHERE table_name = '_prisma_migrations'") == "0");
    // The plan's backup is on disk before the migration ran.
    size_t dumps = 0;
    for (const auto& entry : fs::directory_iterator(stack.backups)) {
        dumps += entry.path().filename().string().starts_with("staging_") ? 1 : 0;
    }
    CHECK(dumps == 1);

    h.command(requester, "/migrate", "production");
    auto production_plan = h.message_of("A-2");
    REQUIRE(production_plan);
    CHECK(approve_and_run(h, "A-2") == "succeeded");
    CHECK(stack.production.scalar("SELECT count(*) FROM \"User\"") == "25");
    CHECK(contains(text_of(*h.message_of("A-2")), "*Succeeded*"));

    // `/migrate status` in Slack now says both are up to date.
    h.command(requester, "/migrate", "status");
    auto status = h.slack().messages("response_url");
    REQUIRE_FALSE(status.empty());
    CHECK(contains(text_of(status.back()), "*staging*: 2 migrations found, 2 applied"));
    CHECK(contains(text_of(status.back()), "*production*: 2 migrations found, 2 applied"));

    CHECK(h.audit_ok());
    stack.check_no_password(h);
}

TEST_CASE("a failing /migrate staging stops, reports the failed row in the thread and the incident channel",
          "[postgres][migrate]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    migrate_stack stack(*admin, "failing");
    bot_harness h(stack.options());

    h.command(requester, "/migrate", "staging");
    REQUIRE(h.message_of("A-1"));
    CHECK(approve_and_run(h, "A-1") == "failed");

    auto incident = messages_in(h.slack(), incident_channel);
    REQUIRE_FALSE(incident.empty());
    const std::string posted = text_of(incident.back());
    CHECK(contains(posted, "A-1"));
    CHECK(contains(posted, "20261103000000_broken"));
    CHECK(contains(posted, "Do NOT roll back application code yet"));
    CHECK(contains(posted, "pg_restore --no-owner --exit-on-error --single-transaction"));

    const std::string thread = thread_text(h, "A-1");
    CHECK(contains(thread, "20261103000000_broken"));
    // Nothing after the failed step ran: the health check and the verification record never happened.
    CHECK(h.health().request_count() == 0);
    for (const auto& event : h.audit_events("A-1")) {
        CHECK(event != "verify.succeeded");
    }
    CHECK(stack.staging.scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL") == "1");

    CHECK(h.audit_ok());
    stack.check_no_password(h);
}
