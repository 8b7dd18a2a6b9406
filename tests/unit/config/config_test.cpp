#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

using namespace opsbot;

namespace {

// env_lookup is a plain function pointer: the fake environment lives in a static map.
std::map<std::string, std::string>& fake_env() {
    static std::map<std::string, std::string> env;
    return env;
}

std::optional<std::string> lookup_fake(const std::string& name) {
    auto it = fake_env().find(name);
    if (it == fake_env().end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::string> lookup_everything_set(const std::string& name) { return "value-of-" + name; }

void set_default_env() {
    fake_env() = {{"SLACK_APP_TOKEN", "xapp-1-abcdef"}, {"SLACK_BOT_TOKEN", "xoxb-1-abcdef"},
                  {"VERCEL_TOKEN", "vercel-secret"},     {"RAILWAY_TOKEN", "railway-secret"},
                  {"STAGING_DATABASE_URL", "postgres://u:p@h/db"}};
}

// A small valid config; tests splice a fragment into it to provoke one problem.
std::string config_with(const std::string& extra_top, const std::string& web_extra = "",
                        const std::string& api_extra = "") {
    return R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": "opsbot.db",
  "groups": { "deployers": ["U01", "U02"], "approvers": ["U02", "S0TEAM"] },
  "services": {
    "web": { "platform": "vercel", "token_env": "VERCEL_TOKEN", "project_id": "prj_1",
             "url": "https://app.example" )" +
           web_extra + R"( },
    "api": { "platform": "railway", "token_env": "RAILWAY_TOKEN", "project_id": "p", "service_id": "s",
             "environments": { "production": "env-p" } )" +
           api_extra + R"( }
  },
  "databases": { "staging": { "url_env": "STAGING_DATABASE_URL" } })" +
           extra_top + "\n}";
}

std::vector<config_problem> problems_of(const std::string& text) {
    auto result = parse_config(text, lookup_fake);
    REQUIRE(result.config.has_value());
    return result.problems;
}

std::string describe(const std::vector<config_problem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        out += p.path + ": " + p.message + "\n";
    }
    return out;
}

// Exactly one problem, at `path`, whose message contains `fragment`.
void require_one_problem(const std::string& text, const std::string& path, const std::string& fragment) {
    auto problems = problems_of(text);
    INFO(describe(problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path == path);
    CHECK_THAT(problems[0].message, Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("a minimal config with comments and trailing commas parses clean", "[config]") {
    set_default_env();
    auto result = parse_config(R"({
      // line comment
      "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
                 /* block comment */ "ops_channel": "C0123OPS", "incident_channel": "G0123INC", },
      "database": "state.db",
    })",
                               lookup_fake);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    CHECK(result.problems.empty());
    CHECK(result.config->database == "state.db");
    CHECK(result.config->slack.incident_channel == "G0123INC");
    CHECK(result.config->slack.api_url == "https://slack.com/api/");
    CHECK(result.config->services.empty());
    CHECK_FALSE(result.config->migrations.has_value());
}

TEST_CASE("the spliced base config is clean and fills the structs", "[config]") {
    set_default_env();
    auto result = parse_config(config_with(""), lookup_fake);
    REQUIRE(result.config.has_value());
    INFO(describe(result.problems));
    REQUIRE(result.problems.empty());
    const auto& api = result.config->services.at("api");
    CHECK(api.name == "api");
    CHECK(api.token_header == "Bearer");
    CHECK(api.api_url == "https://backboard.railway.com/graphql/v2");
    CHECK(api.environments.at("production") == "env-p");
    CHECK(result.config->services.at("web").api_url == "https://api.vercel.com");
    CHECK(result.config->groups.at("approvers") == std::vector<std::string>{"U02", "S0TEAM"});
}

TEST_CASE("a syntax error reports line and column", "[config]") {
    auto result = parse_config("{\n  \"slack\": {\n    \"ops_channel\" \"C1\"\n  }\n}", lookup_everything_set);
    CHECK_FALSE(result.config.has_value());
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == "3:19");
    CHECK_THAT(result.problems[0].message, Catch::Contains("syntax error"));

    auto truncated = parse_config("{\n \"database\": \"x\"", lookup_everything_set);
    REQUIRE(truncated.problems.size() == 1);
    CHECK(truncated.problems[0].path == "2:17");
    CHECK_THAT(truncated.problems[0].message, Catch::Contains("end of file"));
}

TEST_CASE("required sections and fields are reported by path", "[config]") {
    set_default_env();
    auto problems = problems_of(R"({ "slack": { "app_token_env": "SLACK_APP_TOKEN", "ops_channel": "C1X" } })");
    INFO(describe(problems));
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].path == "slack.bot_token_env");
    CHECK(problems[1].path == "slack.incident_channel");
    CHECK(problems[2].path == "database");
    CHECK_THAT(problems[2].message, Catch::StartsWith("required"));
}

TEST_CASE("types are checked", "[config]") {
    set_default_env();
    require_one_problem(R"({ "slack": 5, "database": "x" })", "slack", "must be an object");
    require_one_problem(config_with(R"(, "policies": { "rollback": { "run": "deployers", "approvals": "2" } })"),
                        "policies.rollback.approvals", "whole number");
    require_one_problem(config_with(R"(, "policies": { "deploy": { "run": "deployers", "break_glass": "yes" } })"),
                        "policies.deploy.break_glass", "true or false");
}

TEST_CASE("unknown keys are reported with a suggestion", "[config]") {
    set_default_env();
    require_one_problem(config_with("", R"(, "projet_id": "x")"), "services.web.projet_id",
                        "unknown key (did you mean project_id?)");
    require_one_problem(config_with(R"(, "colour": 1)"), "colour", "unknown key");
    require_one_problem(config_with(R"(, "policies": { "rolback": { "run": "deployers" } })"), "policies.rolback",
                        "did you mean rollback?");
    // A field of the other platform is named as such.
    require_one_problem(config_with("", R"(, "service_id": "x")"), "services.web.service_id",
                        "not used by platform vercel");
}

TEST_CASE("env vars must be set and non-empty, values never appear in messages", "[config]") {
    set_default_env();
    fake_env().erase("RAILWAY_TOKEN");
    require_one_problem(config_with(""), "services.api.token_env",
                        "RAILWAY_TOKEN is not set — export it before starting opsbot");
    set_default_env();
    fake_env()["VERCEL_TOKEN"] = "";
    require_one_problem(config_with(""), "services.web.token_env", "VERCEL_TOKEN is set but empty");

    // A pasted token instead of a variable name is refused without echoing it.
    set_default_env();
    auto text = config_with("", "", "");
    auto pos = text.find("\"RAILWAY_TOKEN\"");
    text.replace(pos, 15, "\"railway-pasted-secret-123\"");
    auto problems = problems_of(text);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path == "services.api.token_env");
    CHECK(describe(problems).find("railway-pasted-secret-123") == std::string::npos);
}

TEST_CASE("services: platform and its fields", "[config]") {
    set_default_env();
    require_one_problem(config_with("", R"(, "health_url": { "production": "ftp://x" })"),
                        "services.web.health_url.production", "http(s) URL");
    require_one_problem(config_with("", R"(, "api_url": "http://api.vercel.com")"), "services.web.api_url",
                        "plain http is allowed only for loopback hosts");
    CHECK(problems_of(config_with("", R"(, "api_url": "http://127.0.0.1:8080/vercel")")).empty());
    CHECK(problems_of(config_with("", R"(, "api_url": "http://localhost:9")")).empty());
    require_one_problem(config_with("", "", R"(, "token_header": "Token")"), "services.api.token_header",
                        "Project-Access-Token");
    CHECK(problems_of(config_with("", "", R"(, "token_header": "Project-Access-Token")")).empty());

    auto text = config_with("");
    text.replace(text.find("\"vercel\""), 8, "\"netlify\"");
    require_one_problem(text, "services.web.platform", "use \"vercel\" or \"railway\"");

    auto no_prod = config_with("");
    no_prod.replace(no_prod.find("\"production\": \"env-p\""), 21, "\"staging\": \"env-s\"");
    require_one_problem(no_prod, "services.api.environments.production", "required");

    auto no_url = config_with("");
    no_url.replace(no_url.find("\"url\": \"https://app.example\""), 28, "\"team_id\": \"team_1\"");
    require_one_problem(no_url, "services.web.url", "required");
}

TEST_CASE("policies: families, groups, approvals, durations, channels", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "policies": { "rollback": { "run": "deployers", "approve": "admins" } })"),
                        "policies.rollback.approve", "group \"admins\" is not defined in groups");
    require_one_problem(config_with(R"(, "policies": { "rollback": { "approve": "approvers", "approvals": 0 } })"),
                        "policies.rollback.approvals", "at least 1");
    require_one_problem(config_with(R"(, "policies": { "migrate": { "expires_after": "15 minutes" } })"),
                        "policies.migrate.expires_after", "not a duration");
    require_one_problem(config_with(R"(, "policies": { "deploy": { "channels": ["C0123OPS", "#ops"] } })"),
                        "policies.deploy.channels[1]", "not a Slack channel id");
    require_one_problem(config_with(R"(, "policies": { "shutdown": {} })"), "policies.shutdown",
                        "unknown command family");
    auto result = parse_config(
        config_with(R"(, "policies": { "incident": { "run": "deployers", "expires_after": "2h",
                                                     "break_glass": true } })"),
        lookup_fake);
    REQUIRE(result.problems.empty());
    CHECK(result.config->policies.at("incident").expires_after == std::chrono::hours{2});
    CHECK(result.config->policies.at("incident").break_glass);
}

TEST_CASE("groups: members must look like Slack ids", "[config]") {
    set_default_env();
    auto text = config_with("");
    text.replace(text.find("\"U02\", \"S0TEAM\""), 15, "\"U02\", \"bob\"");
    require_one_problem(text, "groups.approvers[1]", "not a Slack user id");
}

TEST_CASE("slack channels must be ids", "[config]") {
    set_default_env();
    auto text = config_with("");
    text.replace(text.find("\"C0123INC\""), 10, "\"#incidents\"");
    require_one_problem(text, "slack.incident_channel", "not a Slack channel id");
}

TEST_CASE("slack.audit_channel is optional and must be a channel id", "[config]") {
    set_default_env();
    auto text = config_with("");
    auto plain = parse_config(text, lookup_fake);
    REQUIRE(plain.config);
    CHECK(plain.config->slack.audit_channel.empty());
    auto with = text;
    with.replace(with.find("\"incident_channel\""), 0, "\"audit_channel\": \"C0123AUD\", ");
    auto read = parse_config(with, lookup_fake);
    REQUIRE(read.config);
    CHECK(read.problems.empty());
    CHECK(read.config->slack.audit_channel == "C0123AUD");
    auto bad = text;
    bad.replace(bad.find("\"incident_channel\""), 0, "\"audit_channel\": \"#audit\", ");
    require_one_problem(bad, "slack.audit_channel", "not a Slack channel id");
}

TEST_CASE("secrets: generator, services, provider", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "secrets": { "X_KEY": { "generate": "hex64", "services": ["api"] } })"),
                        "secrets.X_KEY.generate", "not a generator");
    require_one_problem(config_with(R"(, "secrets": { "X_KEY": { "generate": "hex32", "services": ["worker"] } })"),
                        "secrets.X_KEY.services[0]", "service \"worker\" is not defined");
    require_one_problem(config_with(R"(, "secrets": { "X_KEY": { "generate": "manual", "services": [] } })"),
                        "secrets.X_KEY.services", "must not be empty");
    require_one_problem(config_with(R"(, "secrets": { "X_KEY": { "generate": "openai", "services": ["api"] } })"),
                        "secrets.X_KEY.provider", "required");
    require_one_problem(
        config_with(R"(, "secrets": { "X_KEY": { "generate": "resend", "services": ["api"],
                      "provider": { "token_env": "RESEND_ADMIN_KEY" } } })"),
        "secrets.X_KEY.provider.token_env", "RESEND_ADMIN_KEY is not set");
    require_one_problem(config_with(R"(, "secrets": { "bad-name": { "generate": "manual", "services": ["api"] } })"),
                        "secrets.bad-name", "environment variable name");
}

TEST_CASE("migrations: deploy_command is a safe non-empty argv", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "deploy_command": [] })"),
                        "migrations.deploy_command", "must not be empty");
    require_one_problem(
        config_with(R"(, "migrations": { "workdir": "w", "deploy_command": ["npx", "prisma", "migrate", "reset"] })"),
        "migrations.deploy_command", "runbook §4");
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "deploy_command": ["npx prisma db push"] })"),
                        "migrations.deploy_command", "db push");
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "deploy_command": ["npx", 3] })"),
                        "migrations.deploy_command[1]", "must be a string");
    require_one_problem(config_with(R"(, "migrations": { "deploy_command": ["npx"] })"), "migrations.workdir",
                        "required");
    auto result = parse_config(config_with(R"(, "migrations": { "workdir": "w", "timeout": "1h30m" })"), lookup_fake);
    REQUIRE(result.problems.empty());
    CHECK(result.config->migrations->timeout == std::chrono::minutes{90});
    CHECK(result.config->migrations->deploy_command.size() == 4);
}

TEST_CASE("migrations.deploy_command: Prisma's destructive words are refused in any order", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w",
                        "deploy_command": ["npx", "prisma", "migrate", "deploy", "--force-reset"] })"),
                        "migrations.deploy_command", "`--force-reset`");
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w",
                        "deploy_command": ["prisma", "db", "--accept-data-loss", "push"] })"),
                        "migrations.deploy_command", "`db push --accept-data-loss`");
}

TEST_CASE("env_passthrough: variable names a child may also get, never a secret the config names", "[config]") {
    set_default_env();
    const std::string reencrypting = R"(, "secrets": { "CREDENTIAL_ENCRYPTION_KEY": { "generate": "hex32",
        "services": ["api"], "reencrypt_command": ["node", "reencrypt.js"], "env_passthrough": [%s] } })";
    auto with_secret = [&](const std::string& names) {
        std::string text = reencrypting;
        text.replace(text.find("%s"), 2, names);
        return config_with(text);
    };
    auto ok = parse_config(config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["HTTPS_PROXY",
        "no_proxy"] }, "secrets": { "CREDENTIAL_ENCRYPTION_KEY": { "generate": "hex32", "services": ["api"],
        "reencrypt_command": ["node", "reencrypt.js"], "env_passthrough": ["STAGING_DATABASE_URL"] } })"),
                           lookup_fake);
    INFO(describe(ok.problems));
    REQUIRE(ok.problems.empty());
    CHECK(ok.config->migrations->env_passthrough == std::vector<std::string>{"HTTPS_PROXY", "no_proxy"});
    CHECK(ok.config->secrets.at("CREDENTIAL_ENCRYPTION_KEY").env_passthrough ==
          std::vector<std::string>{"STAGING_DATABASE_URL"});

    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["HTTPS_PROXY",
                        "SLACK_BOT_TOKEN"] })"),
                        "migrations.env_passthrough[1]", "SLACK_BOT_TOKEN holds a secret");
    require_one_problem(
        config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["STAGING_DATABASE_URL"] })"),
        "migrations.env_passthrough[0]", "only the URL of the database it changes");
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["DATABASE_URL"] })"),
                        "migrations.env_passthrough[0]", "set by the step itself");
    require_one_problem(config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["xoxb-1-abc def"] })"),
                        "migrations.env_passthrough[0]", "must name an environment variable");
    CHECK(describe(problems_of(config_with(R"(, "migrations": { "workdir": "w", "env_passthrough": ["xoxb-1-abc"] })")))
              .find("xoxb-1-abc") == std::string::npos);
    require_one_problem(with_secret(R"("RAILWAY_TOKEN")"), "secrets.CREDENTIAL_ENCRYPTION_KEY.env_passthrough[0]",
                        "RAILWAY_TOKEN holds a secret");
    require_one_problem(with_secret(R"("OPSBOT_NEW_SECRET")"), "secrets.CREDENTIAL_ENCRYPTION_KEY.env_passthrough[0]",
                        "set by the step itself");
    require_one_problem(with_secret(R"("CREDENTIAL_ENCRYPTION_KEY")"),
                        "secrets.CREDENTIAL_ENCRYPTION_KEY.env_passthrough[0]", "holds a secret");
}

TEST_CASE("monitoring sections", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "monitoring": { "github": { "repo": "justaname" } })"),
                        "monitoring.github.repo", "owner/name");
    require_one_problem(config_with(R"(, "monitoring": { "sentry": { "token_env": "SENTRY_API_TOKEN",
                                       "org": "o", "project": "p" } })"),
                        "monitoring.sentry.token_env", "SENTRY_API_TOKEN is not set");
    require_one_problem(config_with(R"(, "monitoring": { "betterstack": {} })"), "monitoring.betterstack.token_env",
                        "required");
    require_one_problem(config_with(R"(, "monitoring": { "datadog": {} })"), "monitoring.datadog", "unknown key");
}

TEST_CASE("problems come in document order", "[config]") {
    set_default_env();
    fake_env().erase("VERCEL_TOKEN");
    auto problems = problems_of(config_with(R"(, "zzz": 1, "policies": { "deploy": { "run": "nobody" } })",
                                            R"(, "projet_id": "x")"));
    INFO(describe(problems));
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].path == "services.web.token_env");
    CHECK(problems[1].path == "services.web.projet_id");
    CHECK(problems[2].path == "zzz");
    CHECK(problems[3].path == "policies.deploy.run");
}

TEST_CASE("secret_env_names lists every named variable once", "[config]") {
    auto result = parse_config(config_with(R"(, "secrets": { "OPENAI_API_KEY": { "generate": "openai",
        "services": ["api"], "provider": { "token_env": "OPENAI_ADMIN_KEY" } } })"),
                               lookup_everything_set);
    REQUIRE(result.problems.empty());
    auto names = result.config->secret_env_names();
    CHECK(names == std::vector<std::string>{"OPENAI_ADMIN_KEY", "OPENAI_API_KEY", "RAILWAY_TOKEN", "SLACK_APP_TOKEN",
                                            "SLACK_BOT_TOKEN", "STAGING_DATABASE_URL", "VERCEL_TOKEN"});
}

TEST_CASE("load_config_file: missing file and the shipped example", "[config]") {
    auto missing = load_config_file("/nonexistent/opsbot.jsonc", lookup_everything_set);
    CHECK_FALSE(missing.config.has_value());
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].path == "/nonexistent/opsbot.jsonc");
    CHECK_THAT(missing.problems[0].message, Catch::Contains("cannot open"));

    // The shipped example (OPSBOT_SOURCE_DIR is the repository root).
    auto root = std::filesystem::path(OPSBOT_SOURCE_DIR);
    auto example = load_config_file((root / "manifest" / "opsbot.example.jsonc").string(), lookup_everything_set);
    REQUIRE(example.config.has_value());
    INFO(describe(example.problems));
    CHECK(example.problems.empty());
    CHECK(example.config->services.size() == 2);
    CHECK(example.config->secrets.size() == 7);
    CHECK(example.config->policies.size() == 6);
    CHECK(example.config->secrets.at("CREDENTIAL_ENCRYPTION_KEY").reencrypt_command.empty());
    CHECK(example.config->secrets.at("POSTHOG_API_KEY").services == std::vector<std::string>{"api", "web"});
    CHECK(example.config->monitoring.github->repo == "agentix/app");

    // With nothing set, every *_env field is reported and nothing else.
    auto bare = load_config_file((root / "manifest" / "opsbot.example.jsonc").string(),
                                 [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    REQUIRE(bare.config.has_value());
    CHECK(bare.problems.size() == 12);
    for (const auto& p : bare.problems) {
        CHECK_THAT(p.message, Catch::Contains("is not set"));
    }
}

TEST_CASE("a key repeated in one object is reported, wherever it is", "[config]") {
    set_default_env();
    require_one_problem(config_with(R"(, "database": "again.db")"), "database", "duplicate key");
    require_one_problem(
        config_with("", "", R"(, "health_url": { "production": "https://a.example",
                                                 "production": "https://b.example" })"),
        "services.api.health_url.production", "duplicate key");
    auto problems = problems_of(config_with(R"(, "policies": { "deploy": { "channels": ["C1AB"] },
        "backup": { "channels": [{ "x": 1, "x": 2 }] } })"));
    INFO(describe(problems));
    REQUIRE_FALSE(problems.empty());
    CHECK(problems[0].path == "policies.backup.channels[0].x");
    CHECK(problems[0].message.find("duplicate key") == 0);
}

TEST_CASE("services.<name>.verify.log_lines: a list of non-empty strings, Railway services only", "[config]") {
    set_default_env();
    auto with_lines = parse_config(
        config_with("", "", R"(, "verify": { "log_lines": ["message-processing", "broadcast-sending"] })"),
        lookup_fake);
    REQUIRE(with_lines.config.has_value());
    CHECK(with_lines.problems.empty());
    CHECK(with_lines.config->services.at("api").verify_log_lines ==
          std::vector<std::string>{"message-processing", "broadcast-sending"});
    // Optional: without it, no log check.
    auto without = parse_config(config_with(""), lookup_fake);
    REQUIRE(without.config.has_value());
    CHECK(without.config->services.at("api").verify_log_lines.empty());

    require_one_problem(config_with("", "", R"(, "verify": { "log_lines": "message-processing" })"),
                        "services.api.verify.log_lines", "must be an array of strings");
    require_one_problem(config_with("", "", R"(, "verify": { "log_lines": ["ok", ""] })"),
                        "services.api.verify.log_lines[1]", "must not be empty");
    require_one_problem(config_with("", "", R"(, "verify": { "log_lines": ["ok", "   "] })"),
                        "services.api.verify.log_lines[1]", "must not be blank");
    require_one_problem(config_with("", "", R"(, "verify": { "log_lines": [42] })"),
                        "services.api.verify.log_lines[0]", "must be a string");
    require_one_problem(config_with("", "", R"(, "verify": { "log_lines": ["say \"hi\""] })"),
                        "services.api.verify.log_lines[0]", "double quote");
    require_one_problem(config_with("", "", R"(, "verify": { "log_line": ["x"] })"), "services.api.verify.log_line",
                        "did you mean log_lines?");
    require_one_problem(config_with("", R"(, "verify": { "log_lines": ["x"] })"), "services.web.verify",
                        "not used by platform vercel");
}
