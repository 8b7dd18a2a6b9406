// /backup against a real PostgreSQL (scripts/test-postgres). Skips when OPSBOT_TEST_PG_URL is unset.
#include "adapters/postgres_backup.hpp"
#include "adapters/subprocess.hpp"
#include "commands/database/backup_list.hpp"
#include "commands/database/backup_plan.hpp"
#include "core/sha256.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using opsbot::testing::read_file;

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

constexpr const char* password = "Pg-Backup-Pass-4471x";
std::map<std::string, std::string> g_env;  // what the injected env lookup sees

std::optional<std::string> test_env(const std::string& name) {
    auto it = g_env.find(name);
    return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

struct backup_world {
    std::string dir = testing::make_temp_dir("opsbot-backup");
    system_clock clk;
    storage::database audit_db{dir + "/opsbot.db"};
    commands::database_tools tools;

    backup_world() {
        tools.migrations.workdir = dir;
        tools.migrations.backup_dir = dir + "/backups";
        tools.databases["staging"] = database_config{"STAGING_DATABASE_URL"};
        tools.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
        tools.audit_db = &audit_db;
        tools.env = &test_env;
    }
    ~backup_world() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::vector<storage::audit_entry> events(const std::string& event) {
        storage::audit_log log(audit_db, clk);
        std::vector<storage::audit_entry> out;
        auto all = log.entries();
        REQUIRE(all);
        for (auto& e : *all) {
            if (e.event == event) {
                out.push_back(e);
            }
        }
        return out;
    }
    size_t files_in_backup_dir() const {
        std::error_code ec;
        if (!fs::exists(tools.migrations.backup_dir, ec)) {
            return 0;
        }
        return static_cast<size_t>(std::distance(fs::directory_iterator(tools.migrations.backup_dir),
                                                 fs::directory_iterator{}));
    }
};

}  // namespace

TEST_CASE("backup -> restore into a fresh database gives the same rows", "[postgres][backup]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database source(*admin, "opsbot_bk_src");
    source.exec("CREATE TABLE items (id serial primary key, name text not null);"
                "CREATE TABLE notes (id serial primary key, item int references items(id), body text);"
                "INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 500) g;"
                "INSERT INTO notes (item, body) SELECT g, repeat('x', 50) FROM generate_series(1, 200) g;");
    backup_world w;
    g_env = {{"STAGING_DATABASE_URL", source.url(password)}};

    auto made = commands::backup_and_record(w.tools, "staging", w.clk, "U123");
    REQUIRE(made);
    CHECK(fs::path(made->path).filename().string().starts_with("staging_"));
    CHECK(made->path.ends_with(".dump"));
    REQUIRE(fs::exists(made->path));
    CHECK_FALSE(fs::exists(made->path + ".partial"));
    CHECK(made->bytes == fs::file_size(made->path));
    CHECK(made->sha256 == sha256_hex(read_file(made->path)));
    CHECK(made->toc_entries > 0);

    auto created = w.events("backup.created");
    REQUIRE(created.size() == 1);
    CHECK(created[0].detail_json.find(made->sha256) != std::string::npos);
    CHECK(created[0].detail_json.find("\"environment\":\"staging\"") != std::string::npos);

    // Restore the way runbook §8 / reference §4 recommend: a fresh database, all or nothing.
    testing::scratch_database restored(*admin, "opsbot_bk_dst");
    adapters::subprocess_options restore;
    restore.argv = {"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "-d", restored.url(),
                    made->path};
    auto r = adapters::run_subprocess(restore);
    REQUIRE(r);
    INFO(r->output);
    REQUIRE(r->ok());
    CHECK(restored.scalar("SELECT count(*) FROM items") == "500");
    CHECK(restored.scalar("SELECT count(*) FROM notes") == "200");
    CHECK(restored.scalar("SELECT count(*) FROM items") == source.scalar("SELECT count(*) FROM items"));

    // /backup list shows it, with size and age; then notices when the file is gone.
    commands::platform_registry platforms;
    stack_config config;
    commands::command_context ctx{config, platforms, &w.audit_db, w.clk};
    commands::parsed_command list;
    list.family = "backup";
    list.subcommand = "list";
    auto shown = commands::backup_list_reply(list, ctx);
    CHECK(shown.text.find(fs::path(made->path).filename().string()) != std::string::npos);
    CHECK(shown.text.find("KB") != std::string::npos);
    CHECK(shown.text.find("no longer exists") == std::string::npos);
    list.args["env"] = "production";
    CHECK(commands::backup_list_reply(list, ctx).text.find("No backups of production") != std::string::npos);
    list.args.erase("env");
    fs::remove(made->path);
    CHECK(commands::backup_list_reply(list, ctx).text.find("no longer exists") != std::string::npos);

    // The password never reached the audit DB file or any text we produced.
    CHECK(read_file(w.audit_db.path()).find(password) == std::string::npos);
    CHECK(shown.text.find(password) == std::string::npos);
}

TEST_CASE("a backup of an unreachable database fails and leaves nothing behind", "[postgres][backup]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    backup_world w;
    g_env = {{"STAGING_DATABASE_URL", testing::pg_url_for(*admin, "opsbot_no_such_db", password)}};
    auto made = commands::backup_and_record(w.tools, "staging", w.clk, "U123");
    REQUIRE_FALSE(made);
    CHECK(made.error().message.find("opsbot_no_such_db") != std::string::npos);
    CHECK(made.error().message.find("does not exist") != std::string::npos);
    CHECK(made.error().message.find(password) == std::string::npos);
    CHECK(w.files_in_backup_dir() == 0);  // pg_dump's 0-byte file was removed
    CHECK(w.events("backup.created").empty());
    REQUIRE(w.events("backup.failed").size() == 1);
    CHECK(read_file(w.audit_db.path()).find(password) == std::string::npos);

    // The same through the /backup staging reply.
    commands::platform_registry platforms;
    platforms.database = w.tools;
    stack_config config;
    commands::command_context ctx{config, platforms, &w.audit_db, w.clk};
    commands::parsed_command cmd;
    cmd.family = "backup";
    cmd.subcommand = "staging";
    auto answer = commands::run_backup_now(cmd, ctx);
    CHECK(answer.is_error);
    CHECK(answer.text.find("Backup of staging failed") != std::string::npos);
    CHECK(w.files_in_backup_dir() == 0);
}

TEST_CASE("a server newer than pg_dump gets a message naming both versions and the setting", "[postgres][backup]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    backup_world w;
    // A fake pg_dump printing the real refusal (docs/platforms.md §4 [PG2]) and leaving an empty file, like pg_dump.
    const std::string fake = w.dir + "/pg_dump";
    {
        std::ofstream script(fake);
        script << "#!/bin/sh\n"
                  "while [ $# -gt 0 ]; do if [ \"$1\" = -f ]; then : > \"$2\"; fi; shift; done\n"
                  "echo 'pg_dump: error: aborting because of server version mismatch' >&2\n"
                  "echo 'pg_dump: detail: server version: 17.6; pg_dump version: 16.10' >&2\n"
                  "exit 1\n";
    }
    fs::permissions(fake, fs::perms::owner_all);
    w.tools.migrations.pg_dump = fake;
    testing::scratch_database source(*admin, "opsbot_bk_ver");
    g_env = {{"PRODUCTION_DATABASE_URL", source.url(password)}};
    auto made = commands::backup_and_record(w.tools, "production", w.clk, "U123");
    REQUIRE_FALSE(made);
    const auto& msg = made.error().message;
    CHECK(msg.find("17.6") != std::string::npos);
    CHECK(msg.find("16.10") != std::string::npos);
    CHECK(msg.find("migrations.pg_dump") != std::string::npos);
    CHECK(msg.find("/usr/lib/postgresql/17/bin/pg_dump") != std::string::npos);
    CHECK(w.files_in_backup_dir() == 0);
    CHECK(w.events("backup.created").empty());
}

TEST_CASE("/backup production is a one-step plan with only the environment in its params", "[backup]") {
    stack_config config;
    config.migrations = migrations_config{};
    config.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
    auto p = commands::plan_backup(config, "production");
    REQUIRE(p);
    REQUIRE(p->steps.size() == 1);
    CHECK(p->steps[0].kind == "postgres.backup");
    CHECK(p->steps[0].params.size() == 1);
    CHECK(p->steps[0].params.at("environment").as_string() == "production");
    CHECK_FALSE(commands::plan_backup(config, "staging"));
}
