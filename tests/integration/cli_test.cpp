// The `opsbot` command line as a user runs it: the real binary, its exit codes and what it prints.
#include "adapters/subprocess.hpp"
#include "sim/slack_simulator.hpp"
#include "tests/support/paths.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-cli-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

adapters::subprocess_result run_opsbot(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                                       std::chrono::seconds timeout = std::chrono::seconds{30}) {
    adapters::subprocess_options options;
    options.argv = {testing::opsbot_binary()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.set_env = std::move(env);
    options.timeout = timeout;
    auto result = adapters::run_subprocess(options);
    REQUIRE(result);
    return *result;
}

/// A minimal valid config whose Slack is the simulator.
fs::path write_config(const fs::path& dir, const std::string& api_url) {
    fs::path config = dir / "opsbot.jsonc";
    std::ofstream(config) << fmt::format(R"({{
  // comments and trailing commas are allowed
  "slack": {{ "app_token_env": "CLI_TEST_APP_TOKEN", "bot_token_env": "CLI_TEST_BOT_TOKEN",
             "api_url": "{}", "ops_channel": "C0OPS", "incident_channel": "C0INC", }},
  "database": "{}",
  "groups": {{ "deployers": ["U01"] }},
  "policies": {{ "deploy": {{ "run": "deployers" }} }},
}}
)",
                                         api_url, (dir / "opsbot.db").string());
    return config;
}

}  // namespace

TEST_CASE("opsbot manifest prints exactly the committed manifest/slack-app.json", "[cli]") {
    auto r = run_opsbot({"manifest", "--config", testing::source_dir() + "/manifest/opsbot.example.jsonc"});
    CHECK(r.exit_code == 0);
    CHECK(r.output == slurp(fs::path(testing::source_dir()) / "manifest" / "slack-app.json"));
}

TEST_CASE("opsbot without a command, or an unknown one, prints the usage and fails", "[cli]") {
    auto none = run_opsbot({});
    CHECK(none.exit_code == 64);
    CHECK_THAT(none.output, Catch::Contains("opsbot run --config FILE"));
    auto unknown = run_opsbot({"deploy"});
    CHECK(unknown.exit_code == 64);
    CHECK_THAT(unknown.output, Catch::Contains("unknown command `deploy`"));
    auto missing = run_opsbot({"run"});
    CHECK(missing.exit_code == 64);
    CHECK_THAT(missing.output, Catch::Contains("run needs --config FILE"));
}

TEST_CASE("opsbot run refuses to start when a token variable is missing, naming it", "[cli]") {
    sim::slack_simulator slack;
    auto dir = temp_dir("missing-token");
    auto config = write_config(dir, slack.api_url());
    auto r = run_opsbot({"run", "--config", config.string()}, {{"CLI_TEST_APP_TOKEN", slack.options().app_token}});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("CLI_TEST_BOT_TOKEN"));
    CHECK(slack.api_calls("apps.connections.open").empty());
    fs::remove_all(dir);
}

TEST_CASE("opsbot run exits 2 with a clear message when Slack disables Socket Mode (link_disabled)", "[cli]") {
    sim::slack_simulator slack;
    auto dir = temp_dir("link-disabled");
    auto config = write_config(dir, slack.api_url());
    auto running = std::async(std::launch::async, [&] {
        return run_opsbot({"run", "--config", config.string()},
                          {{"CLI_TEST_APP_TOKEN", slack.options().app_token},
                           {"CLI_TEST_BOT_TOKEN", slack.options().bot_token}});
    });
    REQUIRE(slack.wait_for(
        [&] {
            auto c = slack.connections();
            return !c.empty() && c.front().hello_at.has_value();
        },
        std::chrono::seconds{20}));
    slack.send_disconnect("link_disabled");
    auto r = running.get();
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("link_disabled"));
    // It stops: no reconnect loop.
    CHECK(slack.api_calls("apps.connections.open").size() == 1);
    // The tokens never reach the output.
    CHECK(r.output.find(slack.options().app_token) == std::string::npos);
    CHECK(r.output.find(slack.options().bot_token) == std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("opsbot run exits 3 without retrying when Slack refuses the app token", "[cli]") {
    sim::slack_simulator slack;
    auto dir = temp_dir("bad-token");
    auto config = write_config(dir, slack.api_url());
    auto r = run_opsbot({"run", "--config", config.string()},
                        {{"CLI_TEST_APP_TOKEN", "xapp-1-A111-not-the-right-token"},
                         {"CLI_TEST_BOT_TOKEN", slack.options().bot_token}});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Catch::Contains("invalid_auth"));
    CHECK(slack.api_calls("apps.connections.open").size() == 1);
    CHECK(r.output.find("xapp-1-A111-not-the-right-token") == std::string::npos);
    fs::remove_all(dir);
}
