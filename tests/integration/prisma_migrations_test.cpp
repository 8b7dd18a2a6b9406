// Prisma status from _prisma_migrations + folders, against a real PostgreSQL, with tests/standin/prisma_standin
// applying migrations like `prisma migrate deploy`. Skips when OPSBOT_TEST_PG_URL is unset.
#include "adapters/migration_runner.hpp"
#include "adapters/prisma_migrations.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace opsbot;
using namespace opsbot::adapters;
namespace fs = std::filesystem;

namespace {

deploy_settings standin_in(const std::string& workdir) {
    deploy_settings s;
    s.command = {testing::prisma_standin_path(), "migrate", "deploy"};
    s.workdir = workdir;
    s.timeout = std::chrono::seconds{60};
    return s;
}

}  // namespace

TEST_CASE("status: not managed, applied, pending, modified", "[postgres][prisma]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "opsbot_prisma_st");
    const std::string workdir = testing::copy_prisma_fixture("basic");

    auto before = read_prisma_status(db.url(), workdir);
    REQUIRE(before);
    CHECK_FALSE(before->managed);
    CHECK(before->folders.size() == 2);

    auto ran = run_migrate_deploy(standin_in(workdir), db.url());
    REQUIRE(ran);
    INFO(ran->output);
    REQUIRE(ran->ok());
    CHECK(ran->output.find("The following migration(s) have been applied:") != std::string::npos);

    auto after = read_prisma_status(db.url(), workdir);
    REQUIRE(after);
    CHECK(after->managed);
    CHECK(after->applied == std::vector<std::string>{"20261101000000_init", "20261102000000_add_orders"});
    CHECK(after->pending.empty());
    CHECK(after->up_to_date());
    CHECK(db.scalar("SELECT count(*) FROM \"User\"") == "25");

    auto again = run_migrate_deploy(standin_in(workdir), db.url());
    REQUIRE(again);
    CHECK(again->output.find("No pending migrations to apply.") != std::string::npos);

    // A new folder is pending; an edited applied file is modified.
    fs::create_directories(workdir + "/prisma/migrations/20261104000000_add_flag");
    std::ofstream(workdir + "/prisma/migrations/20261104000000_add_flag/migration.sql")
        << "ALTER TABLE \"User\" ADD COLUMN \"flag\" BOOLEAN;\n";
    std::ofstream(workdir + "/prisma/migrations/20261101000000_init/migration.sql", std::ios::app) << "-- edited\n";
    auto changed = read_prisma_status(db.url(), workdir);
    REQUIRE(changed);
    CHECK(changed->pending == std::vector<std::string>{"20261104000000_add_flag"});
    CHECK(changed->modified == std::vector<std::string>{"20261101000000_init"});
    CHECK_FALSE(changed->up_to_date());
    fs::remove_all(workdir);
}

TEST_CASE("a failing migration is recorded as failed with its logs and blocks the next deploy", "[postgres][prisma]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "opsbot_prisma_fail");
    const std::string workdir = testing::copy_prisma_fixture("failing");
    auto ran = run_migrate_deploy(standin_in(workdir), db.url());
    REQUIRE(ran);
    CHECK(ran->exit_code == 1);
    CHECK(ran->output.find("Error: P3018") != std::string::npos);

    auto status = read_prisma_status(db.url(), workdir);
    REQUIRE(status);
    CHECK(status->applied == std::vector<std::string>{"20261101000000_init"});
    CHECK(status->failed == std::vector<std::string>{"20261103000000_broken"});
    CHECK(status->pending.empty());
    const auto& failed = status->rows.back();
    CHECK(failed.name == "20261103000000_broken");
    CHECK(failed.finished_at.empty());
    CHECK(failed.logs.find("relation \"Account\" does not exist") != std::string::npos);
    // Not in a transaction (like Prisma): the statement before the failing one stuck.
    CHECK(db.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'") == "1");

    auto blocked = run_migrate_deploy(standin_in(workdir), db.url());
    REQUIRE(blocked);
    CHECK(blocked->exit_code == 1);
    CHECK(blocked->output.find("P3009") != std::string::npos);
    CHECK(blocked->output.find("20261103000000_broken") != std::string::npos);
    fs::remove_all(workdir);
}

TEST_CASE("the deploy command refuses migrate reset and db push", "[prisma]") {
    deploy_settings s;
    s.command = {"npx", "prisma", "migrate", "reset", "--force"};
    auto r = run_migrate_deploy(s, "postgresql://u@localhost/x");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::forbidden);
    CHECK(r.error().message.find("Never use prisma migrate reset or prisma db push in production") !=
          std::string::npos);
    CHECK(refuse_deploy_command({"npx", "prisma", "db", "push"}));
    CHECK_FALSE(refuse_deploy_command({"npx", "prisma", "migrate", "deploy"}));
}
