#include "commands/grammar/command_spec.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/router.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::commands;
using opsbot::commands::testing::command_families;
using opsbot::commands::testing::find_family;
using opsbot::channel_id;
using opsbot::user_id;
using opsbot::commands::testing::example_config;

namespace {

/// Routes as an allowed user in the ops channel, so only grammar can make it fail.
routed run(const std::string& command, const std::string& text) {
    static const command_router router([] {
        auto config = example_config();
        for (auto& [name, policy] : config.policies) {
            policy.break_glass = true;  // so the break-glass examples pass policy too
        }
        return config;
    }(), testing::families());
    return router.route(invocation{user_id("U01"), channel_id(testing::ops_channel), command, text});
}

opsbot::result<parsed_command> parse(const std::string& family, std::string_view text) {
    static const auto config = example_config();
    auto tokens = tokenize(text);
    REQUIRE(tokens.has_value());
    const family_spec* spec = find_family(family);
    REQUIRE(spec != nullptr);
    return parse_command(*spec, *tokens, config, testing::families().specs());
}

/// A usage error: ephemeral, flagged as error, nothing to do, with the usage line of the family.
void check_usage_error(const routed& r, const std::string& command, const std::string& expected) {
    INFO(r.immediate.text);
    CHECK(r.immediate.is_error);
    CHECK_FALSE(r.immediate.in_channel);
    CHECK_FALSE(r.needs_work);
    CHECK_THAT(r.immediate.text, Catch::Contains(expected));
    CHECK_THAT(r.immediate.text, Catch::Contains("\nUsage: `" + command));
}

}  // namespace

TEST_CASE("the families are the ones the design lists", "[commands][grammar]") {
    std::vector<std::string> names;
    for (const family_spec* family : testing::families().specs()) {
        names.push_back(family->name);
        CHECK(family->command == "/" + family->name);
        REQUIRE(testing::families().by_command(family->command) != nullptr);
        CHECK(&testing::families().by_command(family->command)->spec == family);
    }
    CHECK(names == std::vector<std::string>{"deploy", "rollback", "rotate", "migrate", "backup", "audit", "incident"});
    CHECK(testing::families().by_command("/nope") == nullptr);
}

TEST_CASE("every family's help lists each form, its examples and the policy", "[commands][grammar][help]") {
    for (const auto& family : command_families()) {
        for (const std::string text : {"help", "--help", "-h", "HELP"}) {
            routed r = run(family.command, text);
            INFO(family.command << " " << text << "\n" << r.immediate.text);
            CHECK_FALSE(r.immediate.is_error);
            CHECK_FALSE(r.immediate.in_channel);
            CHECK_FALSE(r.needs_work);
            CHECK_THAT(r.immediate.text, Catch::Contains(escape_mrkdwn(family.description)));
            for (const auto& sub : family.subcommands) {
                std::string usage = sub.usage().empty() ? family.command : family.command + " " + sub.usage();
                CHECK_THAT(r.immediate.text, Catch::Contains("`" + escape_mrkdwn(usage) + "`"));
                CHECK_THAT(r.immediate.text, Catch::Contains(escape_mrkdwn(sub.summary)));
                for (const auto& example : sub.examples) {
                    std::string full = example.empty() ? family.command : family.command + " " + example;
                    CHECK_THAT(r.immediate.text, Catch::Contains("`" + escape_mrkdwn(full) + "`"));
                }
                for (const auto& flag : sub.flags) {
                    CHECK_THAT(r.immediate.text, Catch::Contains("--" + flag.name));
                }
            }
            CHECK_THAT(r.immediate.text, Catch::Contains("Run: group `deployers`"));
            // Nothing raw that Slack would read as a control sequence.
            CHECK(r.immediate.text.find("<service>") == std::string::npos);
        }
    }
}

TEST_CASE("help is shown for a bare command that needs arguments, and per subcommand", "[commands][grammar][help]") {
    CHECK_THAT(run("/deploy", "").immediate.text, Catch::Contains("`/deploy lock"));
    CHECK_THAT(run("/rollback", "").immediate.text, Catch::Contains("Services: `api`, `web`"));
    CHECK_THAT(run("/rotate", "").immediate.text, Catch::Contains("`OPENAI_API_KEY`"));
    CHECK_THAT(run("/migrate", "  ").immediate.text, Catch::Contains("`/migrate production"));

    for (const std::string text : {"status help", "status --help", "STATUS -h"}) {
        routed r = run("/deploy", text);
        INFO(r.immediate.text);
        CHECK_FALSE(r.immediate.is_error);
        CHECK_THAT(r.immediate.text, Catch::StartsWith("`/deploy status`"));
        CHECK(r.immediate.text.find("/deploy lock") == std::string::npos);
    }
    routed lock = run("/deploy", "lock help");
    CHECK_THAT(lock.immediate.text, Catch::StartsWith("`/deploy lock &lt;service&gt; &lt;env&gt; \"&lt;reason&gt;\"`"));
    CHECK_THAT(lock.immediate.text, Catch::Contains("changes only in <#C0123OPS>"));
    // A quoted "help" is an argument, not a request for help.
    routed quoted = run("/deploy", "lock web production \"help\"");
    CHECK(quoted.parsed.arg("reason") == "help");
    CHECK(quoted.immediate.text.find("Examples:") == std::string::npos);
}

TEST_CASE("/audit alone runs (its argument is optional) instead of showing help", "[commands][grammar]") {
    routed r = run("/audit", "");
    CHECK_FALSE(r.immediate.is_error);
    CHECK_THAT(r.immediate.text, Catch::Contains("Working on `/audit`"));
    CHECK(r.needs_work);
    CHECK(r.parsed.family == "audit");
    CHECK(r.parsed.arg("target") == "20");
}

TEST_CASE("every example in every spec is valid grammar", "[commands][grammar]") {
    for (const auto& family : command_families()) {
        for (const auto& sub : family.subcommands) {
            for (const auto& example : sub.examples) {
                routed r = run(family.command, example);
                INFO(family.command << " " << example << "\n" << r.immediate.text);
                CHECK_FALSE(r.immediate.is_error);
                CHECK(r.parsed.family == family.name);
                CHECK(r.parsed.subcommand == sub.name);
            }
        }
    }
}

TEST_CASE("unknown subcommands get the family usage line", "[commands][grammar][errors]") {
    check_usage_error(run("/deploy", "foo"), "/deploy", "Unknown subcommand `foo` for /deploy.");
    check_usage_error(run("/migrate", "prod"), "/migrate", "Unknown subcommand `prod` for /migrate.");
    check_usage_error(run("/backup", "everything"), "/backup", "Unknown subcommand `everything` for /backup.");
    check_usage_error(run("/incident", "fire"), "/incident", "Unknown subcommand `fire` for /incident.");
    check_usage_error(run("/migrate", "--dry-run"), "/migrate", "Missing subcommand for /migrate.");
    routed r = run("/deploy", "foo");
    CHECK_THAT(r.immediate.text, Catch::Contains("Usage: `/deploy status | check | verify [staging|production] | "
                                                 "&lt;service&gt; [staging|production] [--dry-run] | lock"));
}

TEST_CASE("missing and extra arguments name the form's usage", "[commands][grammar][errors]") {
    check_usage_error(run("/deploy", "lock"), "/deploy lock", "Missing `&lt;service&gt;` for `/deploy lock`.");
    check_usage_error(run("/deploy", "lock web production"), "/deploy lock",
                      "Missing `\"&lt;reason&gt;\"` for `/deploy lock`.");
    check_usage_error(run("/deploy", "unlock web"), "/deploy unlock", "Missing `&lt;env&gt;` for `/deploy unlock`.");
    check_usage_error(run("/incident", "secret-leaked"), "/incident secret-leaked",
                      "Missing `&lt;SECRET&gt;` for `/incident secret-leaked`.");
    check_usage_error(run("/deploy", "status now"), "/deploy status", "Unexpected argument `now` for `/deploy status`.");
    check_usage_error(run("/rollback", "web dpl_1 dpl_2"), "/rollback", "Unexpected argument `dpl_2` for `/rollback`.");
    check_usage_error(run("/deploy", "lock web production \"   \""), "/deploy lock", "The reason must not be empty.");
}

TEST_CASE("bad environments, services and secrets list the valid choices", "[commands][grammar][errors]") {
    const std::string envs = "Valid environments: `staging`, `production`.";
    check_usage_error(run("/deploy", "verify prod"), "/deploy verify", "Unknown environment `prod`. " + envs);
    check_usage_error(run("/backup", "list dev"), "/backup list", "Unknown environment `dev`. " + envs);
    check_usage_error(run("/deploy", "web prod"), "/deploy", "Unknown environment `prod`. " + envs);
    check_usage_error(run("/rollback", "db"), "/rollback", "Unknown service `db`. Valid services: `api`, `web`.");
    check_usage_error(run("/deploy", "lock db production x"), "/deploy lock", "Unknown service `db`. Valid services");
    check_usage_error(run("/rotate", "AWS_KEY"), "/rotate",
                      "Unknown secret `AWS_KEY`. Valid secrets: `BETTER_AUTH_SECRET`, `CREDENTIAL_ENCRYPTION_KEY`, "
                      "`OPENAI_API_KEY`.");
    check_usage_error(run("/incident", "secret-leaked NOPE"), "/incident secret-leaked", "Unknown secret `NOPE`.");
    check_usage_error(run("/rollback", "web 'dpl 1'"), "/rollback", "Not a deployment id: `dpl 1`");
}

TEST_CASE("a config without services or secrets says which section is missing", "[commands][grammar][errors]") {
    auto config = example_config();
    config.services.clear();
    config.secrets.clear();
    command_router router(config, testing::families());
    auto r = router.route(invocation{user_id("U01"), channel_id("C0123OPS"), "/rollback", "web"});
    CHECK_THAT(r.immediate.text, Catch::Contains("No services are configured (add a `services` section"));
    r = router.route(invocation{user_id("U01"), channel_id("C0123OPS"), "/rotate", "OPENAI_API_KEY"});
    CHECK_THAT(r.immediate.text, Catch::Contains("No secrets are configured (add a `secrets` section"));
}

TEST_CASE("audit takes N from 1 to 1000 or an action id", "[commands][grammar][errors]") {
    CHECK(parse("audit", "1")->arg("target") == "1");
    CHECK(parse("audit", "1000")->arg("target") == "1000");
    CHECK(parse("audit", "007")->arg("target") == "7");
    CHECK(parse("audit", "a-42")->arg("target") == "A-42");
    for (const std::string bad : {"0", "1001", "99999999999999999999", "-5", "abc", "A-", "A-x", "B-7", "1.5"}) {
        routed r = run("/audit", bad);
        INFO(bad);
        check_usage_error(r, "/audit", "Expected N (a whole number from 1 to 1000) or an action id like `A-42`");
    }
}

TEST_CASE("flags: unknown, not accepted here, values, duplicates", "[commands][grammar][errors]") {
    check_usage_error(run("/rollback", "web --force"), "/rollback", "Unknown flag `--force` for `/rollback`.");
    check_usage_error(run("/deploy", "status --dry-run"), "/deploy status",
                      "`--dry-run` is not accepted by `/deploy status`.");
    check_usage_error(run("/backup", "production --dry-run"), "/backup production",
                      "`--dry-run` is not accepted by `/backup production`.");
    check_usage_error(run("/migrate", "status --continue"), "/migrate status", "`--continue` is not accepted");
    check_usage_error(run("/rollback", "web --dry-run=yes"), "/rollback", "`--dry-run` takes no value.");
    check_usage_error(run("/rollback", "web --dry-run --dry-run"), "/rollback", "`--dry-run` was given twice.");
    check_usage_error(run("/rollback", "web --break-glass"), "/rollback",
                      "`--break-glass` needs a value: `--break-glass \"&lt;reason&gt;\"`.");
    check_usage_error(run("/rollback", "web --break-glass --dry-run"), "/rollback", "`--break-glass` needs a value");
    check_usage_error(run("/rollback", "web --break-glass=\"\""), "/rollback", "The reason must not be empty.");
    // A quoted word starting with -- is an argument, not a flag.
    check_usage_error(run("/rollback", "\"--dry-run\""), "/rollback", "Unknown service `--dry-run`.");
}

TEST_CASE("parsed values are canonical and destructiveness follows the spec", "[commands][grammar]") {
    auto deploy = parse("deploy", "WEB Production --dry-run");
    REQUIRE(deploy.has_value());
    CHECK(deploy->subcommand.empty());
    CHECK(deploy->arg("service") == "web");
    CHECK(deploy->arg("env") == "production");
    CHECK(deploy->dry_run());
    CHECK(deploy->destructive);
    CHECK_FALSE(parse("deploy", "api staging")->destructive);
    CHECK(parse("deploy", "api")->arg("env") == "production");
    CHECK(parse("deploy", "api")->destructive);
    CHECK_FALSE(parse("deploy", "status")->destructive);
    CHECK(parse("deploy", "verify")->arg("env") == "production");
    CHECK_FALSE(parse("migrate", "status")->arg("env").has_value());
    CHECK(parse("migrate", "staging")->destructive);
    CHECK(parse("backup", "production")->destructive);
    CHECK_FALSE(parse("backup", "staging")->destructive);
    CHECK(parse("incident", "site-down")->destructive);
    CHECK_FALSE(parse("incident", "errors")->destructive);

    auto rotate = parse("rotate", "openai_api_key --continue");
    REQUIRE(rotate.has_value());
    CHECK(rotate->arg("secret") == "OPENAI_API_KEY");
    CHECK(rotate->has_flag("continue"));
    CHECK_FALSE(rotate->dry_run());

    auto lock = parse("deploy", "lock api production hold all deploys");
    REQUIRE(lock.has_value());
    CHECK(lock->arg("reason") == "hold all deploys");
    CHECK(parse("deploy", "lock api production \xE2\x80\x9C  smart quoted  \xE2\x80\x9D")->arg("reason") ==
          "smart quoted");
    CHECK(lock->display_name() == "/deploy lock");

    CHECK(parse("rollback", "web --break-glass=\"site down\"")->flags.at("break-glass") == "site down");
    CHECK(parse("rollback", "--break-glass 'site down' web dpl_9")->arg("deployment") == "dpl_9");
}

TEST_CASE("tokenizer errors come back with the usage line", "[commands][grammar][errors]") {
    check_usage_error(run("/deploy", "lock web production \"oops"), "/deploy", "Unterminated quote");
    check_usage_error(run("/audit", std::string(2001, 'x')), "/audit", "too long");
}

TEST_CASE("an unknown slash command is an error listing the served ones", "[commands][grammar][errors]") {
    routed r = run("/nuke", "everything");
    CHECK(r.immediate.is_error);
    CHECK_THAT(r.immediate.text, Catch::Contains("Unknown command `/nuke`"));
    CHECK_THAT(r.immediate.text, Catch::Contains("`/rollback`"));
}
