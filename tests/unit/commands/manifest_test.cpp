#include "commands/grammar/command_spec.hpp"
#include "commands/grammar/manifest.hpp"
#include "tests/unit/commands/test_config.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

using opsbot::testing::read_file;

using namespace opsbot::commands;
using opsbot::commands::testing::command_families;
using opsbot::commands::testing::find_family;
namespace json = boost::json;

namespace {

/// manifest/slack-app.json in the source tree (located from this file: unit tests link no path helper).
std::filesystem::path committed_manifest_path() {
    return std::filesystem::path(OPSBOT_SOURCE_DIR) / "manifest" /
           "slack-app.json";
}

std::size_t length(const json::value& v) { return v.as_string().size(); }

}  // namespace

TEST_CASE("the committed manifest equals the generator's output", "[commands][manifest]") {
    const std::string generated = build_manifest_json(testing::example_config(), testing::families().specs());
    const auto path = committed_manifest_path();
    INFO("regenerate with: opsbot manifest --config manifest/opsbot.example.jsonc > manifest/slack-app.json");
    INFO(path.string());
    CHECK(read_file(path) == generated);
}

TEST_CASE("the manifest does not depend on the stack's services or secrets", "[commands][manifest]") {
    CHECK(build_manifest_json(opsbot::stack_config{}, testing::families().specs()) == build_manifest_json(testing::example_config(), testing::families().specs()));
}

TEST_CASE("the manifest is pretty-printed JSON with the settings Socket Mode needs", "[commands][manifest]") {
    const std::string text = build_manifest_json(testing::example_config(), testing::families().specs());
    CHECK(text.back() == '\n');
    CHECK(text.starts_with("{\n  \"_metadata\": {\n    \"major_version\": 1,"));
    json::value v = json::parse(text);
    const auto& m = v.as_object();
    CHECK(m.at("_metadata").at("major_version").as_int64() == 1);
    CHECK(m.at("display_information").at("name").as_string() == "opsbot");
    CHECK(m.at("features").at("bot_user").at("display_name").as_string() == "opsbot");
    CHECK(m.at("features").at("bot_user").at("always_online").as_bool());
    CHECK(m.at("oauth_config").at("scopes").at("bot") == json::array{"commands", "chat:write"});
    const auto& settings = m.at("settings").as_object();
    CHECK(settings.at("interactivity").at("is_enabled").as_bool());
    CHECK(settings.at("socket_mode_enabled").as_bool());
    CHECK_FALSE(settings.at("org_deploy_enabled").as_bool());
    CHECK_FALSE(settings.at("token_rotation_enabled").as_bool());

    const auto& commands = m.at("features").at("slash_commands").as_array();
    REQUIRE(commands.size() == command_families().size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const family_spec& family = *testing::families().specs()[i];
        CHECK(commands[i].at("command").as_string() == family.command);
        CHECK(commands[i].at("description").as_string() == family.description);
        CHECK(commands[i].at("usage_hint").as_string() == family.usage());
        CHECK(commands[i].at("should_escape") == false);
    }
}

// Key constraints of slackapi/manifest-schema manifest.schema.1.0.0.json (docs/slack.md §6).
TEST_CASE("the manifest keeps to the schema's constraints", "[commands][manifest]") {
    json::value v = json::parse(build_manifest_json(testing::example_config(), testing::families().specs()));
    const auto& m = v.as_object();
    for (const auto& kv : m) {
        CHECK((kv.key() == "_metadata" || kv.key() == "display_information" || kv.key() == "features" ||
               kv.key() == "oauth_config" || kv.key() == "settings"));
    }
    const auto& info = m.at("display_information").as_object();
    CHECK(length(info.at("name")) >= 1);
    CHECK(length(info.at("name")) <= 35);
    CHECK(length(info.at("description")) >= 1);
    CHECK(length(info.at("description")) <= 140);
    const auto& bot = m.at("features").at("bot_user");
    CHECK(length(bot.at("display_name")) >= 1);
    CHECK(length(bot.at("display_name")) <= 80);

    const auto& commands = m.at("features").at("slash_commands").as_array();
    CHECK(commands.size() <= 50);
    for (const auto& c : commands) {
        const auto& cmd = c.as_object();
        INFO(json::serialize(cmd));
        for (const auto& kv : cmd) {
            CHECK((kv.key() == "command" || kv.key() == "description" || kv.key() == "usage_hint" ||
                   kv.key() == "should_escape"));
        }
        const auto& name = cmd.at("command").as_string();
        CHECK(name.starts_with("/"));
        CHECK(name.size() >= 2);
        CHECK(name.size() <= 32);
        CHECK(length(cmd.at("description")) >= 1);
        CHECK(length(cmd.at("description")) <= 2000);
        CHECK(length(cmd.at("usage_hint")) <= 1000);
        CHECK(cmd.at("should_escape").is_bool());
    }
    for (const auto& scope : m.at("oauth_config").at("scopes").at("bot").as_array()) {
        CHECK(scope.is_string());
    }
}

// Issue 15 item 5. Constraints of manifest.schema.1.0.0.json: features.app_home and settings.event_subscriptions
// are closed objects (additionalProperties false); bot_events are unique strings of at most 50 characters.
TEST_CASE("the manifest enables the Home tab and subscribes to app_home_opened", "[commands][manifest]") {
    json::value v = json::parse(build_manifest_json(testing::example_config(), testing::families().specs()));
    const auto& home = v.at("features").at("app_home").as_object();
    for (const auto& kv : home) {
        CHECK((kv.key() == "home_tab_enabled" || kv.key() == "messages_tab_enabled" ||
               kv.key() == "messages_tab_read_only_enabled"));
        CHECK(kv.value().is_bool());
    }
    CHECK(home.at("home_tab_enabled").as_bool());

    const auto& events = v.at("settings").at("event_subscriptions").as_object();
    for (const auto& kv : events) {
        // Socket Mode: no request_url (its pattern asks for http(s), and Slack would post there instead).
        CHECK((kv.key() == "bot_events" || kv.key() == "user_events"));
    }
    const auto& bot_events = events.at("bot_events").as_array();
    CHECK(bot_events.size() <= 100);
    std::set<std::string> seen;
    for (const auto& e : bot_events) {
        REQUIRE(e.is_string());
        CHECK(e.as_string().size() <= 50);
        CHECK(seen.insert(std::string(e.as_string())).second);
    }
    CHECK(seen.contains("app_home_opened"));
}
