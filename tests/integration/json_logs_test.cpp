// `opsbot run --log-format json` (issue 15 item 3): the real binary against the Slack simulator writes one JSON
// object per line — time, level, message, and the envelope a line is about — through the same redactor as the text
// logs: the Slack tokens, which it uses all along, and a service token it never sends anywhere, never appear.
#include "adapters/http_client.hpp"
#include "adapters/subprocess.hpp"
#include "bot/logging.hpp"
#include "sim/slack_simulator.hpp"
#include "storage/instance_lock.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/paths.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <sstream>

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* service_token = "rw-json-logs-7f3a9c1e5b2d";  // services.api.token_env's value

adapters::subprocess_result run_bot(const sim::slack_simulator& slack, const std::string& config,
                                    const std::string& format) {
    adapters::subprocess_options o;
    o.argv = {opsbot_binary(), "run", "--config", config, "--log-format", format};
    o.set_env = {{"JSON_APP_TOKEN", slack.options().app_token},
                 {"JSON_BOT_TOKEN", slack.options().bot_token},
                 {"JSON_RAILWAY_TOKEN", service_token}};
    o.timeout = 60s;
    o.max_output = 4 * 1024 * 1024;
    auto r = adapters::run_subprocess(o);
    REQUIRE(r);
    return *r;
}

/// A port no one listens on now: the OS picks it for a socket that is closed at once. The real binary cannot tell a
/// test which port 0 gave it before it ends, so this test names one.
uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("run --log-format json writes one redacted JSON object per line") {
    sim::slack_simulator slack;
    temp_dir dir;
    const uint16_t port = free_port();
    const auto db = (dir.path() / "opsbot.db").string();
    const auto config = (dir.path() / "opsbot.jsonc").string();
    std::ofstream(config) << fmt::format(R"({{
  "slack": {{ "app_token_env": "JSON_APP_TOKEN", "bot_token_env": "JSON_BOT_TOKEN", "api_url": "{}",
             "ops_channel": "C0OPS", "incident_channel": "C0INC" }},
  "database": "{}",
  "groups": {{ "deployers": ["U01"] }},
  "policies": {{ "deploy": {{ "run": "deployers" }} }},
  "http": {{ "listen": "127.0.0.1:{}" }},
  "services": {{ "api": {{ "platform": "railway", "api_url": "http://127.0.0.1:9/graphql/v2",
                          "token_env": "JSON_RAILWAY_TOKEN", "project_id": "p", "service_id": "s",
                          "environments": {{ "production": "e" }} }} }}
}}
)",
                                         slack.api_url(), db, port);
    auto running = std::async(std::launch::async, [&] { return run_bot(slack, config, "json"); });
    REQUIRE(slack.wait_for([&] { return !slack.connections().empty() && slack.connections().back().hello_at; }, 30s));
    const auto envelope = slack.send_slash_command("U01", "C0OPS", "/deploy", "status");
    REQUIRE_FALSE(envelope.empty());
    // The answer, not the "Working on …" notice that goes first through the same response_url.
    REQUIRE(slack.wait_for(
        [&] {
            for (const auto& m : slack.messages("response_url")) {
                if (m.text.find("Working on") == std::string::npos) {
                    return true;
                }
            }
            return false;
        },
        30s));

    // The operators' endpoint of the real binary: ready, and its build named in /metrics (set by `opsbot run`).
    auto http = adapters::make_http_client();
    adapters::http_request get;
    get.url = fmt::format("http://127.0.0.1:{}/readyz", port);
    auto ready = http->send(get);
    REQUIRE(ready);
    CHECK(ready->status == 200);
    get.url = fmt::format("http://127.0.0.1:{}/metrics", port);
    auto scraped = http->send(get);
    REQUIRE(scraped);
    CHECK(scraped->body.find("opsbot_build_info{version=\"") != std::string::npos);
    CHECK(scraped->body.find("opsbot_envelopes_acked_total{type=\"slash_commands\"} 1") != std::string::npos);

    std::istringstream holder_text([&] {
        std::ifstream in(storage::instance_lock::file_for(db));
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }());
    std::string word;
    pid_t pid = -1;
    holder_text >> word >> pid;
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGTERM) == 0);
    auto result = running.get();
    INFO(result.output);
    CHECK(result.exit_code == 0);

    std::istringstream lines(result.output);
    std::string line;
    int parsed = 0;
    bool about_the_envelope = false;
    while (std::getline(lines, line)) {
        INFO(line);
        boost::system::error_code ec;
        auto value = boost::json::parse(line, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(value.is_object());
        const auto& o = value.as_object();
        REQUIRE(o.contains("time"));
        REQUIRE(o.contains("level"));
        REQUIRE(o.contains("message"));
        CHECK(o.at("time").as_string().ends_with("Z"));
        if (const auto* e = o.if_contains("envelope"); e != nullptr && e->as_string() == envelope) {
            about_the_envelope = true;
        }
        ++parsed;
    }
    CHECK(parsed >= 3);  // at least: start-up, the link, the stop
    CHECK(about_the_envelope);  // /deploy status runs on the request pool and logs (api's Railway is unreachable)
    CHECK(result.output.find(slack.options().app_token) == std::string::npos);
    CHECK(result.output.find(slack.options().bot_token) == std::string::npos);
    CHECK(result.output.find(service_token) == std::string::npos);
}

TEST_CASE("run refuses a log format it does not know") {
    sim::slack_simulator slack;
    auto r = run_bot(slack, "/nonexistent.jsonc", "yaml");
    CHECK(r.exit_code == 64);
    CHECK(r.output.find("--log-format is text or json") != std::string::npos);
}

TEST_CASE("the lines of an approved run name its action and family") {
    std::ostringstream out;
    auto sink = bot::make_redacting_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    sink->set_formatter(bot::make_json_formatter());
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("json", sink));
    {
        bot_harness h;
        h.command(requester, "/rollback", "web");
        // A successful run logs nothing; its outcome in the thread failing to post is logged, on the run's thread.
        h.slack().fail_post_message(ops_channel, 10);
        h.click(approver_a, "A-1", "approve");
        REQUIRE(h.state_of("A-1") == "succeeded");
    }
    spdlog::set_default_logger(previous);

    std::istringstream lines(out.str());
    std::string line;
    bool about_the_run = false;
    while (std::getline(lines, line)) {
        INFO(line);
        auto value = boost::json::parse(line);
        const auto& o = value.as_object();
        if (const auto* action = o.if_contains("action"); action != nullptr && action->as_string() == "A-1") {
            CHECK(o.at("family").as_string() == "rollback");
            // The rollback ends after its deployment poll, on the pool thread that polled (no envelope there): the
            // line names the step it continued from.
            CHECK((o.contains("envelope") || o.at("step").as_string() == "vercel.rollback"));
            about_the_run = true;
        }
    }
    CHECK(about_the_run);
}
