#include "commands/grammar/router.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::commands;
using opsbot::channel_id;
using opsbot::user_id;
using opsbot::stack_config;
using opsbot::system_clock;
using opsbot::commands::testing::example_config;

namespace {

const command_router& example_router() {
    static const command_router router(example_config(), testing::families());
    return router;
}

routed run(const std::string& command, const std::string& text) {
    return example_router().route(invocation{user_id("U01"), channel_id("C0123OPS"), command, text});
}

/// No raw control sequence a user typed may survive into mrkdwn.
void check_no_control_sequences(const std::string& text) {
    INFO(text);
    CHECK(text.find("<!") == std::string::npos);
    CHECK(text.find("<@") == std::string::npos);
    CHECK(text.find("<http") == std::string::npos);
}

}  // namespace

TEST_CASE("hostile input is escaped in every error", "[commands][router][escaping]") {
    const std::vector<std::pair<std::string, std::string>> hostile = {
        {"/deploy", "<!channel>"},
        {"/deploy", "verify <!here>"},
        {"/rollback", "<@U1>"},
        {"/rollback", "web <https://evil.example|click>"},
        {"/rotate", "A&B"},
        {"/rollback", "web --<!channel>"},
        {"/audit", "<!everyone>"},
        {"/deploy", "status <@U1>"},
        {"/backup", "list `<!channel>`"},
    };
    for (const auto& [command, text] : hostile) {
        routed r = run(command, text);
        INFO(command << " " << text);
        CHECK(r.immediate.is_error);
        check_no_control_sequences(r.immediate.text);
    }
    CHECK_THAT(run("/deploy", "<!channel>").immediate.text, Catch::Contains("`&lt;!channel&gt;`"));
    CHECK_THAT(run("/rollback", "<@U1>").immediate.text, Catch::Contains("Unknown service `&lt;@U1&gt;`"));
    CHECK_THAT(run("/rotate", "A&B").immediate.text, Catch::Contains("Unknown secret `A&amp;B`"));
}

TEST_CASE("only help is marked constant (its rendering may be reused for everyone)", "[commands][router]") {
    for (const auto& [command, text] : std::vector<std::pair<std::string, std::string>>{
             {"/deploy", "help"}, {"/rollback", "help"}, {"/deploy", "status help"}, {"/audit", "help"}}) {
        INFO(command << " " << text);
        routed r = run(command, text);
        CHECK_FALSE(r.constant_key.empty());
        CHECK_FALSE(r.needs_work);
        CHECK_FALSE(r.immediate.is_error);
        CHECK(r.immediate.text == run(command, text).immediate.text);
    }
    // Each help text has its own key.
    CHECK(run("/deploy", "help").constant_key != run("/deploy", "status help").constant_key);
    CHECK(run("/deploy", "help").constant_key != run("/rollback", "help").constant_key);
    // Anything that depends on who asks, on the arguments or on the state is not.
    for (const auto& [command, text] : std::vector<std::pair<std::string, std::string>>{
             {"/deploy", "status"}, {"/deploy", "nonsense"}, {"/rollback", "web --dry-run"}, {"/nope", "help"}}) {
        INFO(command << " " << text);
        CHECK(run(command, text).constant_key.empty());
    }
}

TEST_CASE("constant_key names what route would mark constant, without routing", "[commands][router]") {
    for (const auto& [command, text] : std::vector<std::pair<std::string, std::string>>{
             {"/deploy", "help"}, {"/deploy", "--help"}, {"/deploy", "status help"}, {"/rollback", "-h"},
             {"/audit", "help"}, {"/deploy", "status"}, {"/deploy", "nonsense"}, {"/rollback", "web --dry-run"},
             {"/nope", "help"}, {"/deploy", "lock \"unclosed"}, {"/deploy", ""}}) {
        INFO(command << " " << text);
        const invocation inv{user_id("U01"), channel_id("C0123OPS"), command, text};
        CHECK(example_router().constant_key(inv) == run(command, text).constant_key);
    }
    CHECK(example_router().constant_key({user_id("U01"), channel_id("C0123OPS"), "/deploy", "help"}) == "deploy");
}

TEST_CASE("an implemented command is authorised and handed on as work", "[commands][router]") {
    routed r = run("/rollback", "web --dry-run");
    CHECK_FALSE(r.immediate.is_error);
    CHECK(r.needs_work);
    CHECK(r.parsed.family == "rollback");
    CHECK(r.parsed.arg("service") == "web");
    CHECK(r.parsed.dry_run());
}

TEST_CASE("a valid command is authorised and handed on: /rotate is planned, --continue answered", "[commands][router]") {
    routed r = run("/rotate", "BETTER_AUTH_SECRET --dry-run");
    CHECK_FALSE(r.immediate.is_error);
    CHECK_FALSE(r.immediate.in_channel);
    CHECK(r.needs_work);  // implemented by issue #6: the bot plans it (is_planned)
    CHECK(r.parsed.family == "rotate");
    CHECK(r.parsed.arg("secret") == "BETTER_AUTH_SECRET");
    CHECK(r.parsed.dry_run());

    stack_config config = example_config();
    platform_registry platforms;
    system_clock clk;
    command_router router(config, testing::families());
    // `--continue` is answered by a handler; with no rotation waiting (no board here) nothing changes.
    routed resume = run("/rotate", "BETTER_AUTH_SECRET --continue");
    REQUIRE(resume.needs_work);
    reply later = router.execute(resume, command_context{config, platforms, nullptr, clk});
    CHECK(later.is_error);
    CHECK(later.text.find("Nothing was changed") != std::string::npos);

    CHECK(run("/incident", "errors").needs_work);  // implemented by issue #7
}

TEST_CASE("a long reason is truncated when echoed, and never echoed raw", "[commands][router][escaping]") {
    std::string long_word(300, 'x');
    routed r = run("/rollback", long_word);
    CHECK(r.immediate.is_error);
    CHECK(r.immediate.text.find(long_word) == std::string::npos);
    CHECK_THAT(r.immediate.text, Catch::Contains(std::string(60, 'x') + "\xE2\x80\xA6`"));
}
