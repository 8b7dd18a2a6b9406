// `database` in the stack description (issue 14): an SQLite file, or { "url_env": NAME } for PostgreSQL, whose URL
// and password stay in the environment.
#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace opsbot;

namespace {

constexpr const char* url_value = "postgresql://opsbot:Pg-Secret-Pass-42@db.internal:5432/opsbot";

std::optional<std::string> env_with_url(const std::string& name) {
    if (name == "OPSBOT_DATABASE_URL") {
        return url_value;
    }
    if (name == "EMPTY_URL") {
        return "";
    }
    if (name == "SLACK_APP_TOKEN" || name == "SLACK_BOT_TOKEN") {
        return "xoxb-or-xapp-value";
    }
    return std::nullopt;
}

std::string config_with_database(const std::string& database) {
    return R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": )" + database + "\n}";
}

std::string describe(const std::vector<config_problem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        out += p.path + ": " + p.message + "\n";
    }
    return out;
}

/// Exactly one problem, at `path`, whose message holds `fragment`; and no message quotes the URL's password.
void require_one_problem(const std::string& database, const std::string& path, const std::string& fragment) {
    auto result = parse_config(config_with_database(database), env_with_url);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == path);
    CHECK_THAT(result.problems[0].message, Catch::Contains(fragment));
    CHECK_THAT(describe(result.problems), !Catch::Contains("Pg-Secret-Pass-42"));
}

}  // namespace

TEST_CASE("database as a string is the SQLite file, as before", "[config][database]") {
    auto result = parse_config(config_with_database(R"("state/opsbot.db")"), env_with_url);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    CHECK(result.problems.empty());
    CHECK(result.config->database == "state/opsbot.db");
    CHECK(result.config->database_url_env.empty());
    CHECK_FALSE(result.config->database_on_postgres());
}

TEST_CASE("database as { url_env } is PostgreSQL: the name is kept, its value is a secret", "[config][database]") {
    auto result = parse_config(config_with_database(R"({ "url_env": "OPSBOT_DATABASE_URL" })"), env_with_url);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    CHECK(result.problems.empty());
    CHECK(result.config->database.empty());
    CHECK(result.config->database_url_env == "OPSBOT_DATABASE_URL");
    CHECK(result.config->database_on_postgres());
    // The redactor hides the values of these names (bot/logging.cpp), so the URL never reaches a log line.
    const auto names = result.config->secret_env_names();
    CHECK(std::ranges::find(names, "OPSBOT_DATABASE_URL") != names.end());
}

TEST_CASE("database refusals name what to write instead", "[config][database]") {
    SECTION("the URL's variable is not set") {
        require_one_problem(R"({ "url_env": "MISSING_DATABASE_URL" })", "database.url_env",
                            "MISSING_DATABASE_URL is not set");
    }
    SECTION("the URL's variable is set but empty") {
        require_one_problem(R"({ "url_env": "EMPTY_URL" })", "database.url_env", "EMPTY_URL is set but empty");
    }
    SECTION("an empty variable name") {
        require_one_problem(R"({ "url_env": "" })", "database.url_env", "must name an environment variable");
    }
    SECTION("a lower-case variable name") {
        require_one_problem(R"({ "url_env": "opsbot_database_url" })", "database.url_env",
                            "must name an environment variable");
    }
    SECTION("the URL pasted where the name belongs is not echoed") {
        require_one_problem(std::string(R"({ "url_env": ")") + url_value + R"(" })", "database.url_env",
                            "must name an environment variable");
    }
    SECTION("an empty object") {
        require_one_problem("{}", "database.url_env", "required: the environment variable holding the PostgreSQL URL");
    }
    SECTION("the URL itself in the object") {
        require_one_problem(std::string(R"({ "url_env": "OPSBOT_DATABASE_URL", "url": ")") + url_value + R"(" })",
                            "database.url",
                            "never the URL here");
    }
    SECTION("both forms: a file and url_env") {
        auto result = parse_config(
            config_with_database(R"({ "path": "opsbot.db", "url_env": "OPSBOT_DATABASE_URL" })"), env_with_url);
        REQUIRE(result.config.has_value());
        INFO(describe(result.problems));
        REQUIRE(result.problems.size() == 1);
        CHECK(result.problems[0].path == "database.path");
        CHECK_THAT(result.problems[0].message, Catch::Contains("one or the other") && Catch::Contains("not both"));
    }
    SECTION("both forms: database given twice") {
        auto result = parse_config(
            config_with_database(R"("opsbot.db", "database": { "url_env": "OPSBOT_DATABASE_URL" })"), env_with_url);
        REQUIRE(result.config.has_value());
        INFO(describe(result.problems));
        REQUIRE(result.problems.size() == 1);
        CHECK(result.problems[0].path == "database");
        CHECK_THAT(result.problems[0].message, Catch::Contains("duplicate key"));
    }
    SECTION("any other key in the object") {
        require_one_problem(R"({ "url_env": "OPSBOT_DATABASE_URL", "host": "db.internal" })", "database.host",
                            "the PostgreSQL form takes only url_env");
    }
    SECTION("a PostgreSQL URL as the string form") {
        require_one_problem(std::string("\"") + url_value + "\"", "database", "is a PostgreSQL URL");
    }
    SECTION("an empty file name") {
        require_one_problem(R"("")", "database", "must not be empty");
    }
    SECTION("neither a string nor an object") {
        require_one_problem("42", "database", "must be the SQLite file (a string, e.g. \"opsbot.db\") or, for "
                                              "PostgreSQL, { \"url_env\": \"OPSBOT_DATABASE_URL\" }; not a number");
    }
}

TEST_CASE("a missing database says both forms", "[config][database]") {
    auto result = parse_config(R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" }
})",
                               env_with_url);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == "database");
    CHECK_THAT(result.problems[0].message,
               Catch::Contains("\"opsbot.db\"") && Catch::Contains("{ \"url_env\": \"OPSBOT_DATABASE_URL\" }"));
}

TEST_CASE("the bot's own database URL is never passed through to a child process", "[config][database]") {
    auto result = parse_config(R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": { "url_env": "OPSBOT_DATABASE_URL" },
  "migrations": { "workdir": "app", "env_passthrough": ["OPSBOT_DATABASE_URL"] }
})",
                               env_with_url);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == "migrations.env_passthrough[0]");
    CHECK_THAT(result.problems[0].message, Catch::Contains("OPSBOT_DATABASE_URL holds a secret"));
}
