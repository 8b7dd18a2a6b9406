#include "bot/check_config_command.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace opsbot;

namespace {

constexpr const char* slack_app_value = "xapp-1-A0SECRETVALUE-0123456789";
constexpr const char* railway_value = "railway-secret-0123456789";

std::optional<std::string> good_env(const std::string& name) {
    if (name == "SLACK_APP_TOKEN") {
        return slack_app_value;
    }
    if (name == "RAILWAY_TOKEN") {
        return railway_value;
    }
    return "value-of-" + name;
}

// RAILWAY_TOKEN is missing; everything else set.
std::optional<std::string> env_without_railway(const std::string& name) {
    if (name == "RAILWAY_TOKEN") {
        return std::nullopt;
    }
    return good_env(name);
}

std::filesystem::path example_path() {
    // tests/unit/bot/check_config_test.cpp -> repository root is four parents up.
    return std::filesystem::path(OPSBOT_SOURCE_DIR) / "manifest" /
           "opsbot.example.jsonc";
}

std::string read_example() {
    std::ifstream in(example_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct temp_file {
    std::filesystem::path path;
    explicit temp_file(const std::string& text) {
        std::string name = "opsbot-check-config-" + std::to_string(::getpid()) + ".jsonc";
        path = std::filesystem::temp_directory_path() / name;
        std::ofstream(path) << text;
    }
    ~temp_file() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("check-config on the shipped example: OK and exit 0", "[check_config]") {
    std::ostringstream out;
    int code = bot::run_check_config(example_path().string(), out, good_env);
    CHECK(code == 0);
    CHECK(out.str() == "config OK: 2 services, 7 secrets, 6 policies\n");
}

TEST_CASE("check-config lists each problem with its path, then a count, and exits 1", "[check_config]") {
    temp_file file(R"({
      "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
                 "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
      "database": "opsbot.db",
      "services": {
        "api": { "platform": "railway", "token_env": "RAILWAY_TOKEN", "project_id": "p", "service_id": "s",
                 "environments": { "production": "e" }, "servce_id": "x" }
      },
      "policies": { "rollback": { "approvals": 0 } },
    })");
    std::ostringstream out;
    int code = bot::run_check_config(file.path.string(), out, env_without_railway);
    CHECK(code == 1);
    CHECK(out.str() ==
          "services.api.token_env: RAILWAY_TOKEN is not set — export it before starting opsbot\n"
          "services.api.servce_id: unknown key (did you mean service_id?)\n"
          "policies.rollback.approvals: must be at least 1 (got 0)\n"
          "3 problems found\n");
}

TEST_CASE("check-config reports a syntax error with file, line and column", "[check_config]") {
    temp_file file("{\n  \"database\": \"x\",\n  \"slack\": {,}\n}\n");
    std::ostringstream out;
    CHECK(bot::run_check_config(file.path.string(), out, good_env) == 1);
    CHECK_THAT(out.str(), Catch::StartsWith(file.path.string() + ":3:13: JSON syntax error"));
    CHECK_THAT(out.str(), Catch::EndsWith("1 problem found\n"));
}

TEST_CASE("check-config on a missing file", "[check_config]") {
    std::ostringstream out;
    CHECK(bot::run_check_config("/nonexistent/opsbot.jsonc", out, good_env) == 1);
    CHECK_THAT(out.str(), Catch::StartsWith("/nonexistent/opsbot.jsonc: cannot open"));
}

TEST_CASE("check-config never prints the value of an environment variable", "[check_config]") {
    // The value also appears in the file (pasted into a string field by mistake): it must still not print.
    temp_file file(std::string(R"({
      "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
                 "ops_channel": ")") + railway_value + R"(", "incident_channel": "C0123INC" },
      "database": "opsbot.db",
      "services": { "api": { "platform": "railway", "token_env": "RAILWAY_TOKEN", "project_id": "p",
                             "service_id": "s", "environments": { "production": "e" } } }
    })");
    std::ostringstream out;
    CHECK(bot::run_check_config(file.path.string(), out, good_env) == 1);
    std::string text = out.str();
    INFO(text);
    CHECK(text.find("slack.ops_channel:") != std::string::npos);
    CHECK(text.find(railway_value) == std::string::npos);
    CHECK(text.find(slack_app_value) == std::string::npos);
    CHECK(text.find("[redacted:RAILWAY_TOKEN]") != std::string::npos);

    std::ostringstream ok;
    CHECK(bot::run_check_config(example_path().string(), ok, good_env) == 0);
    CHECK(ok.str().find(slack_app_value) == std::string::npos);
}

TEST_CASE("check-config reports a database whose folder is missing or is not a folder", "[check_config]") {
    const auto config_with = [](const std::string& database) {
        std::string text = read_example();
        const std::string from = R"("database": "opsbot.db")";
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), "\"database\": \"" + database + "\"");
    };
    {
        temp_file file(config_with("/nonexistent-opsbot-folder/state/opsbot.db"));
        std::ostringstream out;
        CHECK(bot::run_check_config(file.path.string(), out, good_env) == 1);
        CHECK(out.str() == "database: the folder /nonexistent-opsbot-folder/state does not exist (create it, "
                           "writable by the user opsbot runs as)\n1 problem found\n");
    }
    {
        temp_file file(config_with(example_path().string() + "/opsbot.db"));  // a file used as a folder
        std::ostringstream out;
        CHECK(bot::run_check_config(file.path.string(), out, good_env) == 1);
        CHECK(out.str() == "database: " + example_path().string() + " is not a folder\n1 problem found\n");
    }
}

TEST_CASE("check-config reports a database whose folder is not writable, naming the folder", "[check_config]") {
    namespace fs = std::filesystem;
    // A folder this user cannot write: a fresh read-only one; as root (mode bits do not bind root) a folder of a
    // read-only mount instead. Whichever it is, access(2) must agree before the check is asked about it.
    const fs::path fresh = fs::temp_directory_path() / ("opsbot-readonly-" + std::to_string(::getpid()));
    fs::create_directories(fresh);
    fs::permissions(fresh, fs::perms::owner_read | fs::perms::owner_exec);
    fs::path folder = fresh;
    if (::access(fresh.c_str(), W_OK) == 0) {
        folder = "/proc/sys";
    }
    const bool unwritable = ::access(folder.c_str(), W_OK) != 0;
    std::string text = read_example();
    const std::string from = R"("database": "opsbot.db")";
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "\"database\": \"" + (folder / "opsbot.db").string() + "\"");
    temp_file file(text);
    std::ostringstream out;
    const int code = bot::run_check_config(file.path.string(), out, good_env);
    fs::permissions(fresh, fs::perms::owner_all);
    fs::remove_all(fresh);
    REQUIRE(unwritable);
    CHECK(code == 1);
    CHECK(out.str() == "database: the folder " + folder.string() +
                           " is not writable by this user (opsbot creates the database, its -wal and -shm files "
                           "there)\n1 problem found\n");
}

TEST_CASE("check-config reports a bad services.<name>.verify.log_lines entry by its path", "[check_config]") {
    std::string text = read_example();
    const std::string from = R"("log_lines": ["message-processing", "broadcast-sending", "audit-processing"])";
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);  // the example lists the runbook's three workers
    text.replace(at, from.size(), R"("log_lines": ["message-processing", ""])");
    temp_file file(text);
    std::ostringstream out;
    CHECK(bot::run_check_config(file.path.string(), out, good_env) == 1);
    CHECK(out.str() == "services.api.verify.log_lines[1]: must not be empty\n1 problem found\n");
}

namespace {

// issue 14: the bot's state on PostgreSQL, its URL only in the environment. Port 1: nothing would answer.
constexpr const char* state_url = "postgresql://opsbot:CheckCfg-Pass-5d2e@127.0.0.1:1/opsbot";

std::optional<std::string> env_with_state_url(const std::string& name) {
    if (name == "OPSBOT_DATABASE_URL") {
        return state_url;
    }
    return good_env(name);
}

std::optional<std::string> env_without_state_url(const std::string& name) {
    if (name == "OPSBOT_DATABASE_URL") {
        return std::nullopt;
    }
    return good_env(name);
}

constexpr const char* postgres_state_config = R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": { "url_env": "OPSBOT_DATABASE_URL" },
})";

}  // namespace

TEST_CASE("check-config on PostgreSQL: the URL's variable unset is a problem naming it", "[check_config]") {
    temp_file file(postgres_state_config);
    std::ostringstream out;
    CHECK(bot::run_check_config(file.path.string(), out, env_without_state_url) == 1);
    CHECK(out.str() == "database.url_env: OPSBOT_DATABASE_URL is not set — export it before starting opsbot\n"
                       "1 problem found\n");
}

TEST_CASE("check-config on PostgreSQL: the variable set is reported, never its value, and nothing connects",
          "[check_config]") {
    temp_file file(postgres_state_config);
    std::ostringstream out;
    // The URL names a port nothing listens on: exit 0 shows check-config did not try to connect.
    CHECK(bot::run_check_config(file.path.string(), out, env_with_state_url) == 0);
    CHECK(out.str() == "database: PostgreSQL, its URL in OPSBOT_DATABASE_URL (set; not connected to by check-config)\n"
                       "config OK: 0 services, 0 secrets, 0 policies\n");
    CHECK_THAT(out.str(), !Catch::Contains("CheckCfg-Pass-5d2e"));
}
