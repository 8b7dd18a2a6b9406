// The `opsbot` command line as a user runs it: the real binary, its exit codes and what it prints.
#include "adapters/subprocess.hpp"
#include "sim/slack_simulator.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/text_files.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>

using opsbot::testing::read_file;

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-cli-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
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
    CHECK(r.output == read_file(fs::path(testing::source_dir()) / "manifest" / "slack-app.json"));
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

TEST_CASE("an unknown flag is an error on every subcommand: exit 64 with the usage", "[cli]") {
    const std::string example = testing::source_dir() + "/manifest/opsbot.example.jsonc";
    const std::vector<std::vector<std::string>> calls{
        {"run", "--config", example, "--verbose"},
        {"demo", "--fast"},
        {"check-config", "--config", example, "--strict"},
        {"manifest", "--config", example, "--pretty=yes"},
        {"audit", "verify", "--db", "x.db", "--heads", "1:abcdef012345"},
        {"audit", "export", "--db", "x.db", "--head", "1:abcdef012345"},  // verify's flag, not export's
        {"audit", "verify", "--db", "x.db", "extra"},
        {"audit", "verify", "--db", "x.db", "--db", "y.db"},
        {"audit", "verify", "--db"},
    };
    for (const auto& args : calls) {
        INFO(fmt::format("opsbot {}", fmt::join(args, " ")));
        auto r = run_opsbot(args);
        CHECK(r.exit_code == 64);
        CHECK_THAT(r.output, Catch::Contains("usage:"));
        CHECK_THAT(r.output, Catch::Contains("--head SEQ:HASH"));
    }
    auto unknown = run_opsbot({"audit", "verify", "--db", "x.db", "--heads", "1:abcdef012345"});
    CHECK_THAT(unknown.output, Catch::Contains("unknown flag `--heads`"));
    auto malformed = run_opsbot({"audit", "verify", "--db", "x.db", "--head", "12:abc"});
    CHECK(malformed.exit_code == 64);
    CHECK_THAT(malformed.output, Catch::Contains("12 to 64 hex digits"));
}

TEST_CASE("opsbot help, --help, -h and COMMAND --help print the usage and exit 0", "[cli]") {
    const std::vector<std::vector<std::string>> calls{
        {"help"}, {"--help"}, {"-h"}, {"run", "--help"}, {"audit", "verify", "-h"}, {"version", "--help"},
    };
    for (const auto& args : calls) {
        INFO(fmt::format("opsbot {}", fmt::join(args, " ")));
        auto r = run_opsbot(args);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, Catch::StartsWith("usage:") && Catch::Contains("opsbot version"));
    }
    // Help is not a way around the refusal of unknown flags and words.
    auto stray = run_opsbot({"version", "--short"});
    CHECK(stray.exit_code == 64);
    CHECK_THAT(stray.output, Catch::Contains("version takes no arguments (got `--short`)"));
    CHECK(run_opsbot({"--verbose"}).exit_code == 64);
}

TEST_CASE("opsbot version names the version, the commit, the build type and the library versions", "[cli]") {
    auto r = run_opsbot({"version"});
    CHECK(r.exit_code == 0);
    INFO(r.output);
    // The exact version and commit are compared with CMake's and git's in tests/packaging/package_test.sh.
    const std::vector<std::string> lines{
        R"(^opsbot \d+\.\d+\.\d+\n)",
        R"(\n  commit +([0-9a-f]{12}|unknown)\n)",
        R"(\n  build type +(Debug|Release|RelWithDebInfo|MinSizeRel)\n)",
        R"(\n  compiler +\S+ \d+)",
        R"(\n  Boost +1\.\d+\.\d+\n)",
        R"(\n  OpenSSL +3\.\d+\.\d+)",
        R"(\n  SQLite +3\.\d+\.\d+)",
        R"(\n  libpq +\d+\.\d+\n)",  // libpq5 is installed here (install-deps), so the loader finds it
        R"(\n  spdlog +\d+\.\d+\.\d+\n)",
        R"(\n  fmt +\d+\.\d+\.\d+\n)",
    };
    for (const auto& line : lines) {
        INFO(line);
        CHECK(std::regex_search(r.output, std::regex(line)));
    }
    CHECK(run_opsbot({"--version"}).output == r.output);
}

TEST_CASE("opsbot audit verify --head: exit 0 when the log reaches the head, 1 naming what is missing", "[cli]") {
    auto dir = temp_dir("audit-head");
    const std::string db = (dir / "opsbot.db").string();
    std::string head;
    {
        storage::database opened(db);
        manual_clock clk;
        storage::audit_log audit(opened, clk);
        for (int i = 1; i <= 5; ++i) {
            auto entry = audit.append({"U01", std::nullopt, "test.event", {{"i", i}}});
            REQUIRE(entry);
            if (i == 5) {
                head = fmt::format("{}:{}", entry->seq, entry->hash);
            }
        }
    }
    auto ok = run_opsbot({"audit", "verify", "--db", db, "--head", head});
    CHECK(ok.exit_code == 0);
    CHECK_THAT(ok.output, Catch::Contains("audit log OK: 5 entries, head #5 ") &&
                              Catch::Contains("it holds the published head #5"));
    {
        // Tampering as someone with the file would: straight through SQLite, past the bot's own layer.
        SQLite::Database opened(db, SQLite::OPEN_READWRITE);
        opened.exec("DROP TRIGGER audit_log_no_delete");
        opened.exec("DELETE FROM audit_log WHERE seq >= 4");
    }
    CHECK(run_opsbot({"audit", "verify", "--db", db}).exit_code == 0);
    auto cut = run_opsbot({"audit", "verify", "--db", db, "--head", head});
    CHECK(cut.exit_code == 1);
    CHECK_THAT(cut.output, Catch::Contains("entries 4 to 5 are missing") && Catch::Contains("found: 3 entries, head #3"));
    fs::remove_all(dir);
}
