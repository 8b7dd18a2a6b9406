// The bot's own state on PostgreSQL (issue 14): `"database": { "url_env": NAME }` makes the real runtime keep its
// actions, approvals and audit log in the database whose URL is in NAME; `opsbot audit verify --config FILE` checks
// that chain; and when the server cannot be reached, `opsbot run` says why without ever showing the password.
#include "adapters/subprocess.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// The variable the stack descriptions below name for the bot's database URL.
constexpr const char* url_env = "OPSBOT_STATE_TEST_URL";

/// A stack description for the real binary: `database` spliced in as is.
fs::path write_config(const fs::path& dir, const std::string& slack_api_url, const std::string& database) {
    fs::path config = dir / "opsbot.jsonc";
    std::ofstream(config) << fmt::format(R"({{
  "slack": {{ "app_token_env": "STATE_TEST_APP_TOKEN", "bot_token_env": "STATE_TEST_BOT_TOKEN",
             "api_url": "{}", "ops_channel": "C0OPS", "incident_channel": "C0INC" }},
  "database": {},
  "groups": {{ "deployers": ["U01"] }},
  "policies": {{ "deploy": {{ "run": "deployers" }} }}
}}
)",
                                         slack_api_url, database);
    return config;
}

adapters::subprocess_result run_opsbot(std::vector<std::string> args, std::map<std::string, std::string> env,
                                       const std::string& workdir = {}) {
    adapters::subprocess_options options;
    options.workdir = workdir;
    options.argv = {opsbot_binary()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.set_env = std::move(env);
    options.timeout = 60s;
    auto result = adapters::run_subprocess(options);
    REQUIRE(result);
    return *result;
}

}  // namespace

TEST_CASE("on database.url_env the bot keeps its actions and audit in PostgreSQL, and audit verify --config checks "
          "that chain",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    scratch_database state(*admin, "botstate");
    // With a password (the test server trusts, so it is ignored there): it must show nowhere.
    const std::string password = "State-Pass-6b1f0";
    const std::string url = state.url(password);
    // Set before the bot's threads exist; the runtime reads it through the process environment like `opsbot run`.
    REQUIRE(::setenv(url_env, url.c_str(), 1) == 0);

    harness_options o;
    o.configure = [](stack_config& c) {
        c.database.clear();
        c.database_url_env = url_env;
    };
    std::string sqlite_path;
    std::string head_post;
    {
        bot_harness h(o);
        sqlite_path = h.db_path();
        h.command(requester, "/rollback", "web");
        REQUIRE(h.button("A-1", "approve"));
        CHECK(state.scalar("SELECT state FROM actions WHERE seq = 1") == "awaiting_approval");
        h.click(approver_a, "A-1", "approve");
        CHECK(h.vercel_mutations() == 1);

        // The action, its approval and its audit trail are rows of the PostgreSQL database.
        CHECK(state.scalar("SELECT state FROM actions WHERE seq = 1") == "succeeded");
        CHECK(state.scalar("SELECT user_id || ':' || decision FROM approvals WHERE action_seq = 1") ==
              std::string(approver_a) + ":approve");
        const std::string events =
            state.scalar("SELECT string_agg(event, ',' ORDER BY seq) FROM audit_log WHERE action_id = 'A-1'");
        CHECK_THAT(events, Catch::StartsWith("action.requested,") && Catch::Contains("approval.approved") &&
                               Catch::Contains("action.succeeded") && Catch::Contains("lock.released"));
        CHECK(state.scalar("SELECT count(*) FROM locks") == "0");

        // Published at start from a non-empty log: the head, and the command that checks it through the config.
        h.restart();
        REQUIRE(h.slack().wait_for([&] { return !messages_in(h.slack(), audit_channel, "chat.postMessage").empty(); },
                                   30s));
        head_post = text_of(messages_in(h.slack(), audit_channel, "chat.postMessage").at(0));
    }
    // Nothing went to an SQLite file.
    CHECK_FALSE(fs::exists(sqlite_path));

    const std::string entries = state.scalar("SELECT count(*) FROM audit_log");
    const std::string head_hash = state.scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    REQUIRE(std::stoi(entries) >= 8);

    INFO(head_post);
    static const std::regex command(R"(opsbot audit verify --config FILE --head (\d+):([0-9a-f]{64}))");
    std::smatch found;
    REQUIRE(std::regex_search(head_post, found, command));
    CHECK(found[1].str() == entries);
    CHECK(found[2].str() == head_hash);
    CHECK_THAT(head_post, Catch::Contains(fmt::format("PostgreSQL database `{}`", state.name())));
    CHECK_THAT(head_post, !Catch::Contains(password));

    const fs::path dir = make_temp_dir("opsbot-pg-state");
    const fs::path config =
        write_config(dir, "http://127.0.0.1:9/api/", fmt::format(R"({{ "url_env": "{}" }})", url_env));
    const std::map<std::string, std::string> env{{url_env, url}};
    auto verified = run_opsbot({"audit", "verify", "--config", config.string(), "--head",
                                found[1].str() + ":" + found[2].str()},
                               env);
    INFO(verified.output);
    CHECK(verified.exit_code == 0);
    CHECK(verified.output == fmt::format("audit log OK: {} entries, head #{} {}; it holds the published head #{} {}\n",
                                         entries, entries, head_hash, entries, head_hash));

    auto exported = run_opsbot({"audit", "export", "--config", config.string()}, env);
    CHECK(exported.exit_code == 0);
    CHECK(static_cast<size_t>(std::count(exported.output.begin(), exported.output.end(), '\n')) ==
          std::stoul(entries));

    // The chain is read from PostgreSQL, not taken on trust: one entry rewritten (the superuser lifts the
    // append-only trigger) is found.
    state.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update");
    state.exec("UPDATE audit_log SET actor = 'U666' WHERE seq = 3");
    auto broken = run_opsbot({"audit", "verify", "--config", config.string()}, env);
    INFO(broken.output);
    CHECK(broken.exit_code == 1);
    CHECK_THAT(broken.output, Catch::StartsWith("audit entry 3 is broken: "));

    // Without the variable the command says which one is missing.
    auto unset = run_opsbot({"audit", "verify", "--config", config.string()}, {});
    CHECK(unset.exit_code == 2);
    CHECK_THAT(unset.output, Catch::Contains(fmt::format("{} is not set", url_env)));
    fs::remove_all(dir);
}

TEST_CASE("opsbot run against an unreachable PostgreSQL exits 1 with libpq's reason and never shows the password",
          "[cli]") {
    // No server is needed: port 1 on loopback refuses at once. This process never opens the URL, so its own
    // redactor (which filters the child's output) does not know the password: a leak would show.
    const std::string password = "Unreachable-Pass-3e77a";
    const std::string url = "postgresql://opsbot:" + password + "@127.0.0.1:1/opsbot_state";
    const fs::path dir = make_temp_dir("opsbot-pg-unreachable");
    const fs::path config =
        write_config(dir, "http://127.0.0.1:9/api/", fmt::format(R"({{ "url_env": "{}" }})", url_env));
    const std::map<std::string, std::string> env{
        {url_env, url}, {"STATE_TEST_APP_TOKEN", "xapp-1-state-test"}, {"STATE_TEST_BOT_TOKEN", "xoxb-state-test"}};

    for (const std::string format : {"text", "json"}) {
        // In the folder: an SQLite instance lock on the empty path would appear there (".instance").
        auto r = run_opsbot({"run", "--config", config.string(), "--log-format", format}, env, dir.string());
        INFO(format << ": " << r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains(fmt::format(
                                 "cannot open the bot's database (PostgreSQL, URL from {}): cannot connect to "
                                 "PostgreSQL database `opsbot_state` on `127.0.0.1`",
                                 url_env)));
        CHECK_THAT(r.output, Catch::Contains("Connection refused"));
        CHECK_THAT(r.output, !Catch::Contains(password));
        CHECK_THAT(r.output, !Catch::Contains(url));
    }
    // The SQLite single-instance lock is not taken on PostgreSQL: nothing but the config is in the folder.
    for (const auto& entry : fs::directory_iterator(dir)) {
        CHECK(entry.path().filename() == "opsbot.jsonc");
    }
    // check-config does not connect: the same config is fine, and says the variable is set.
    auto checked = run_opsbot({"check-config", "--config", config.string()}, env);
    INFO(checked.output);
    CHECK(checked.exit_code == 0);
    CHECK_THAT(checked.output, Catch::Contains(fmt::format("database: PostgreSQL, its URL in {} (set", url_env)));
    CHECK_THAT(checked.output, !Catch::Contains(password));
    fs::remove_all(dir);
}

TEST_CASE("opsbot migrate-state moves an SQLite state into PostgreSQL: ids, states and the audit chain intact, the "
          "file untouched, a second run refused",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    // The bot's SQLite state after a succeeded rollback and a request still waiting.
    const fs::path keep = make_temp_dir("opsbot-migrate-state");
    const std::string db_file = (keep / "opsbot.db").string();
    harness_options o;
    o.configure = [&](stack_config& c) { c.database = db_file; };  // kept after the harness goes
    {
        bot_harness h(o);
        h.command(requester, "/rollback", "web");
        h.click(approver_a, "A-1", "approve");
        REQUIRE(action_state_in(db_file, "A-1") == "succeeded");  // h.state_of reads the harness's own file
        h.command(requester, "/rollback", "api");
        REQUIRE(action_state_in(db_file, "A-2") == "awaiting_approval");
    }
    const std::string before = read_file(db_file);

    scratch_database target(*admin, "migrated");
    const fs::path config =
        write_config(keep, "http://127.0.0.1:9/api/", fmt::format(R"({{ "url_env": "{}" }})", url_env));
    const std::map<std::string, std::string> env{{url_env, target.url("Migrate-Pass-41c")}};
    auto moved = run_opsbot({"migrate-state", "--from", db_file, "--config", config.string()}, env);
    INFO(moved.output);
    REQUIRE(moved.exit_code == 0);
    CHECK_THAT(moved.output, Catch::Contains("verified on both sides") && !Catch::Contains("Migrate-Pass-41c"));

    CHECK(target.scalar("SELECT string_agg('A-' || seq || '=' || state, ',' ORDER BY seq) FROM actions") ==
          "A-1=succeeded,A-2=awaiting_approval");
    CHECK(target.scalar("SELECT user_id FROM approvals WHERE action_seq = 1") == approver_a);
    auto verified = run_opsbot({"audit", "verify", "--config", config.string()}, env);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.output, Catch::StartsWith("audit log OK: "));
    // The next action continues the numbering.
    target.exec("INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, required_approvals, "
                "state, created_at_ms, expires_at_ms, updated_at_ms) VALUES ('rollback', 's', 'U01', 'C01', '{}', "
                "'d', 1, 'awaiting_approval', 1, 2, 1)");
    CHECK(target.scalar("SELECT max(seq) FROM actions") == "3");

    // Read only: the file is as it was. Run again: the target holds state, so nothing is copied.
    CHECK(read_file(db_file) == before);
    auto again = run_opsbot({"migrate-state", "--from", db_file, "--config", config.string()}, env);
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.output, Catch::Contains("already holds state"));
    fs::remove_all(keep);
}
