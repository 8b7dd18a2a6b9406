#include "commands/grammar/policy.hpp"
#include "commands/grammar/router.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace opsbot::commands;
using opsbot::commands::testing::command_families;
using opsbot::commands::testing::find_family;
using opsbot::channel_id;
using opsbot::stack_config;
using opsbot::user_id;
using opsbot::commands::testing::example_config;

namespace {

routed route_as(const stack_config& config, const std::string& user, const std::string& channel,
                const std::string& command, const std::string& text) {
    command_router router(config, testing::families());
    return router.route(invocation{user_id(user), channel_id(channel), command, text});
}

/// Captures what the default logger writes while alive.
class log_capture {
public:
    log_capture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    std::string text() const { return out_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream out_;
};

void check_refused(const routed& r, const std::string& expected) {
    INFO(r.immediate.text);
    CHECK(r.immediate.is_error);
    CHECK_FALSE(r.immediate.in_channel);
    CHECK_FALSE(r.needs_work);
    CHECK(r.parsed.family.empty());
    CHECK_THAT(r.immediate.text, Catch::Contains(expected));
}

}  // namespace

TEST_CASE("a user outside the run group is refused, ephemerally, and it is logged", "[commands][policy]") {
    log_capture log;
    routed r = route_as(example_config(), "U99", "C0123OPS", "/rollback", "web --break-glass \"hunter2-secret\"");
    check_refused(r, "You are not allowed to run /rollback (policy rollback.run = deployers).");
    std::string logged = log.text();
    CHECK_THAT(logged, Catch::Contains("command refused"));
    CHECK_THAT(logged, Catch::Contains("user=U99"));
    CHECK_THAT(logged, Catch::Contains("command=/rollback"));
    CHECK_THAT(logged, Catch::Contains("policy rollback.run = deployers"));
    // The raw text (which could hold anything a user pasted) is not logged.
    CHECK(logged.find("hunter2") == std::string::npos);
}

TEST_CASE("policy is checked before validation, so refused users learn nothing about the config", "[commands][policy]") {
    routed r = route_as(example_config(), "U99", "C0123OPS", "/rotate", "NOPE");
    check_refused(r, "You are not allowed to run /rotate");
    CHECK(r.immediate.text.find("OPENAI_API_KEY") == std::string::npos);
}

TEST_CASE("no policy, no run group, or an undefined group: default deny", "[commands][policy]") {
    auto config = example_config();
    config.policies.erase("audit");
    check_refused(route_as(config, "U01", "C0123OPS", "/audit", "5"),
                  "You are not allowed to run /audit (no policy `audit` in the config: default deny).");

    config.policies["backup"].run.clear();
    check_refused(route_as(config, "U01", "C0123OPS", "/backup", "staging"),
                  "You are not allowed to run /backup (policy backup.run is not set: default deny).");

    config.policies["deploy"].run = "ghosts";
    check_refused(route_as(config, "U01", "C0123OPS", "/deploy", "status"),
                  "You are not allowed to run /deploy (policy deploy.run = ghosts, a group that is not defined).");
}

TEST_CASE("an allowed user gets through to the command", "[commands][policy]") {
    routed r = route_as(example_config(), "U02", "C0RANDOM", "/deploy", "status");
    CHECK_FALSE(r.immediate.is_error);
    CHECK(r.parsed.family == "deploy");
    CHECK(r.parsed.user == user_id("U02"));
    CHECK(r.parsed.channel == channel_id("C0RANDOM"));
}

TEST_CASE("destructive subcommands run only in the ops channel by default", "[commands][policy]") {
    auto config = example_config();
    log_capture log;
    check_refused(route_as(config, "U01", "C0RANDOM", "/rollback", "web"), "`/rollback` may only run in <#C0123OPS>.");
    check_refused(route_as(config, "U01", "C0RANDOM", "/deploy", "api production"),
                  "`/deploy` may only run in <#C0123OPS>.");
    check_refused(route_as(config, "U01", "C0RANDOM", "/deploy", "lock api staging freeze"),
                  "`/deploy lock` may only run in <#C0123OPS>.");
    check_refused(route_as(config, "U01", "C0RANDOM", "/backup", "production"), "may only run in <#C0123OPS>");
    CHECK_THAT(log.text(), Catch::Contains("command=/deploy lock"));

    // Non-destructive forms of the same families run anywhere.
    CHECK_FALSE(route_as(config, "U01", "C0RANDOM", "/deploy", "api staging").immediate.is_error);
    CHECK_FALSE(route_as(config, "U01", "C0RANDOM", "/backup", "staging").immediate.is_error);
    CHECK_FALSE(route_as(config, "U01", "C0RANDOM", "/migrate", "status").immediate.is_error);
    CHECK_FALSE(route_as(config, "U01", "C0123OPS", "/rollback", "web").immediate.is_error);
}

TEST_CASE("a policy's channels restrict the whole family", "[commands][policy]") {
    auto config = example_config();
    config.policies["rollback"].channels = {"C0DEPLOY", "C0SRE"};
    config.policies["audit"].channels = {"C0AUDIT"};
    check_refused(route_as(config, "U01", "C0123OPS", "/rollback", "web"),
                  "`/rollback` may only run in <#C0DEPLOY> or <#C0SRE>.");
    CHECK_FALSE(route_as(config, "U01", "C0SRE", "/rollback", "web").immediate.is_error);
    check_refused(route_as(config, "U01", "C0123OPS", "/audit", ""), "`/audit` may only run in <#C0AUDIT>.");
}

TEST_CASE("without an ops channel, destructive commands run nowhere", "[commands][policy]") {
    auto config = example_config();
    config.slack.ops_channel.clear();
    check_refused(route_as(config, "U01", "C0123OPS", "/rotate", "OPENAI_API_KEY"),
                  "may not run anywhere: set slack.ops_channel or policies.rotate.channels");
}

TEST_CASE("break-glass needs the policy to allow it", "[commands][policy]") {
    auto config = example_config();
    check_refused(route_as(config, "U01", "C0123OPS", "/rollback", "web --break-glass \"site down\""),
                  "Break-glass is not enabled for /rollback (policy rollback.break_glass = false).");
    config.policies["rollback"].break_glass = true;
    routed r = route_as(config, "U01", "C0123OPS", "/rollback", "web --break-glass \"site down\"");
    CHECK_FALSE(r.immediate.is_error);
    CHECK(r.parsed.flags.at("break-glass") == "site down");
}

TEST_CASE("help is always allowed: no policy, wrong group, wrong channel", "[commands][policy][help]") {
    auto config = example_config();
    config.policies.clear();
    for (const auto& family : command_families()) {
        routed r = route_as(config, "U99", "C0RANDOM", family.command, "help");
        INFO(family.command);
        CHECK_FALSE(r.immediate.is_error);
        CHECK_THAT(r.immediate.text, Catch::Contains("Nobody may run it: no `policies." + family.name + ".run`"));
    }
    routed sub = route_as(config, "U99", "C0RANDOM", "/deploy", "lock --help");
    CHECK_FALSE(sub.immediate.is_error);
}

TEST_CASE("help describes the policy from the config", "[commands][policy][help]") {
    routed r = route_as(example_config(), "U01", "C0123OPS", "/rollback", "help");
    CHECK_THAT(r.immediate.text,
               Catch::Contains("Run: group `deployers` · approve: group `approvers` · changes only in <#C0123OPS>."));
}

TEST_CASE("channel ids from the config are only put in a mention when well formed", "[commands][policy]") {
    CHECK(channel_mention("C0123OPS") == "<#C0123OPS>");
    CHECK(channel_mention("C1|<!channel>") == "`C1|&lt;!channel&gt;`");
    CHECK(channel_mention("") == "` `");
}

TEST_CASE("approval_for: one rule from the family's policy, with the approve group's members", "[commands][policy]") {
    auto config = example_config();
    config.policies["migrate"].approvals = 2;
    config.policies["migrate"].break_glass = true;
    auto rule = approval_for("migrate", config);
    REQUIRE(rule);
    CHECK(rule->family == "migrate");
    CHECK(rule->approve_group == "approvers");
    CHECK(rule->approvers == std::set<user_id>{user_id("U02"), user_id("U03")});
    CHECK(rule->approvals == 2);
    CHECK(rule->expires_after == std::chrono::minutes{30});
    CHECK(rule->break_glass);
}

TEST_CASE("approval_for: no policy, no approve group, or a group without members is refused, naming the policy",
          "[commands][policy]") {
    auto config = example_config();
    config.policies.erase("rotate");
    config.policies["rollback"].approve.clear();
    config.policies["migrate"].approve = "nobody";
    config.groups["nobody"] = {};
    for (const char* family : {"rotate", "rollback", "migrate"}) {
        auto rule = approval_for(family, config);
        REQUIRE_FALSE(rule);
        CHECK(rule.error().kind == opsbot::error_kind::forbidden);
        CHECK_THAT(rule.error().message, Catch::Contains(std::string("policies.") + family + ".approve"));
    }
}
