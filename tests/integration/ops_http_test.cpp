// The operators' endpoint (issue 15 item 1) on the real runtime against the Slack simulator and the fake platforms:
// /healthz, /readyz as the Slack link goes and comes back, and /metrics read by the Prometheus project's own parser
// (python3-prometheus-client, tests/support/parse_metrics.py) after real traffic moved the counters.
#include "adapters/http_client.hpp"
#include "adapters/subprocess.hpp"
#include "bot/runtime.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/paths.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

namespace {

harness_options with_endpoint() {
    harness_options o;
    o.configure = [](stack_config& config) { config.http = http_config{"127.0.0.1", 0}; };  // any free port
    return o;
}

struct endpoint {
    explicit endpoint(const bot_harness& h) {
        REQUIRE(h.ops_http_port());
        base = fmt::format("http://127.0.0.1:{}", *h.ops_http_port());
    }
    adapters::http_response call(const std::string& method, const std::string& path) const {
        adapters::http_request r;
        r.method = method;
        r.url = base + path;
        r.one_attempt = true;
        auto answer = client->send(r);
        REQUIRE(answer);
        return *answer;
    }
    adapters::http_response get(const std::string& path) const { return call("GET", path); }

    std::string base;
    std::unique_ptr<adapters::http_client> client = adapters::make_http_client();
};

/// The samples of a /metrics body as the official parser read them: "name{k=v,…}" -> value. Fails the test when
/// the parser refuses the text.
struct parsed_metrics {
    std::map<std::string, double> samples;
    std::map<std::string, std::string> family_types;

    double at(const std::string& key) const {
        auto it = samples.find(key);
        INFO(key);
        REQUIRE(it != samples.end());
        return it->second;
    }
};

parsed_metrics parse_with_prometheus_client(const std::string& body) {
    temp_dir dir;
    const auto file = dir.path() / "metrics.txt";
    std::ofstream(file) << body;
    adapters::subprocess_options o;
    // The Debian python, where python3-prometheus-client installs (scripts/install-deps), whatever python3 PATH finds.
    o.argv = {"/usr/bin/python3", source_dir() + "/tests/support/parse_metrics.py", file.string()};
    o.timeout = 60s;
    o.max_output = 4 * 1024 * 1024;
    auto run = adapters::run_subprocess(o);
    REQUIRE(run);
    INFO(run->output);
    REQUIRE(run->ok());
    parsed_metrics out;
    std::istringstream lines(run->output);
    std::string line;
    while (std::getline(lines, line)) {
        const auto a = line.find('\t');
        const auto b = line.find('\t', a + 1);
        REQUIRE(b != std::string::npos);
        if (line.starts_with("#family\t")) {
            out.family_types[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
        } else {
            out.samples[line.substr(0, a) + "{" + line.substr(a + 1, b - a - 1) + "}"] = std::stod(line.substr(b + 1));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("healthz, readyz and metrics over the wire, and 404 and 405 for the rest") {
    bot_harness h(with_endpoint());
    endpoint ops(h);

    auto health = ops.get("/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");
    auto ready = ops.get("/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body == "ready\n");
    auto metrics = ops.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.header("Content-Type").value_or("").starts_with("text/plain; version=0.0.4"));

    CHECK(ops.get("/").status == 404);
    CHECK(ops.get("/metricsz").status == 404);
    auto post = ops.call("POST", "/metrics");
    CHECK(post.status == 405);
    CHECK(post.header("Allow").value_or("") == "GET");
}

TEST_CASE("readyz is 503 with the reason while the Slack link is down, and 200 once a new link said hello") {
    bot_harness h(with_endpoint());
    endpoint ops(h);
    REQUIRE(ops.get("/readyz").status == 200);

    h.slack().hold_hello(true);  // the bot reconnects at once, but the new link gets no hello
    h.slack().drop_connection();
    REQUIRE(eventually([&] { return ops.get("/readyz").status == 503; }, 20s));
    auto down = ops.get("/readyz");
    CHECK(down.body.find("the Slack link is down") != std::string::npos);
    CHECK(ops.get("/healthz").status == 200);  // the process is up all along

    h.slack().hold_hello(false);
    REQUIRE(eventually([&] { return ops.get("/readyz").status == 200; }, 30s));
    auto parsed = parse_with_prometheus_client(ops.get("/metrics").body);
    CHECK(parsed.at("opsbot_socket_reconnects_total{reason=link_lost}") >= 1);
    CHECK(parsed.at("opsbot_socket_connections_total{}") >= 2);
}

TEST_CASE("metrics after a slash command, a status and an approved rollback parse with the official parser") {
    bot_harness h(with_endpoint());
    endpoint ops(h);
    h.command(requester, "/deploy", "help");
    h.command(requester, "/deploy", "status");
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    REQUIRE(h.state_of("A-1") == "succeeded");

    auto body = ops.get("/metrics").body;
    auto parsed = parse_with_prometheus_client(body);
    INFO(body);

    // Every family of README "Operating opsbot" is there, with its type.
    const std::map<std::string, std::string> families{
        {"opsbot_envelopes_received", "counter"},   {"opsbot_envelopes_acked", "counter"},
        {"opsbot_ack_latency_seconds", "histogram"}, {"opsbot_socket_connections", "counter"},
        {"opsbot_socket_reconnects", "counter"},     {"opsbot_actions", "counter"},
        {"opsbot_step_duration_seconds", "histogram"}, {"opsbot_platform_calls", "counter"},
        {"opsbot_platform_call_duration_seconds", "histogram"}, {"opsbot_locks_held", "gauge"},
        {"opsbot_audit_head_sequence", "gauge"},     {"opsbot_watches_running", "gauge"},
        {"opsbot_build_info", "gauge"}};
    for (const auto& [name, type] : families) {
        INFO(name);
        CHECK(parsed.family_types[name] == type);
    }

    // Three slash commands and one click went through Socket Mode, each acked.
    CHECK(parsed.at("opsbot_envelopes_received_total{type=slash_commands}") >= 3);
    CHECK(parsed.at("opsbot_envelopes_acked_total{type=slash_commands}") >= 3);
    CHECK(parsed.at("opsbot_envelopes_received_total{type=interactive}") >= 1);
    CHECK(parsed.at("opsbot_envelopes_acked_total{type=interactive}") >= 1);
    CHECK(parsed.at("opsbot_ack_latency_seconds_count{}") >= 4);
    CHECK(parsed.at("opsbot_socket_connections_total{}") >= 1);

    // The rollback ended succeeded and its steps were timed by kind; platform calls are labelled from the config.
    CHECK(parsed.at("opsbot_actions_total{family=rollback,state=succeeded}") >= 1);
    double steps = 0;
    for (const auto& [key, value] : parsed.samples) {
        if (key.starts_with("opsbot_step_duration_seconds_count{kind=")) {
            steps += value;
        }
    }
    CHECK(steps >= 1);
    CHECK(parsed.at("opsbot_platform_calls_total{operation=GET,outcome=2xx,platform=vercel}") >= 1);
    CHECK(parsed.at("opsbot_platform_calls_total{operation=POST,outcome=2xx,platform=railway}") >= 1);
    CHECK(parsed.at("opsbot_platform_calls_total{operation=POST,outcome=2xx,platform=slack}") >= 1);
    CHECK(parsed.at("opsbot_platform_call_duration_seconds_count{operation=GET,platform=vercel}") >= 1);

    // Gauges read from the database at the scrape: the rollback released its lock and wrote audit entries.
    CHECK(parsed.at("opsbot_locks_held{}") == 0);
    CHECK(parsed.at("opsbot_audit_head_sequence{}") >= 1);
    CHECK(parsed.at("opsbot_watches_running{}") >= 0);

    // No label carries a token or a free-text message.
    CHECK(body.find(h.slack().options().bot_token) == std::string::npos);
    CHECK(body.find(h.slack().options().app_token) == std::string::npos);
}

TEST_CASE("actions that end without running are counted by their final state too") {
    bot_harness h(with_endpoint());
    endpoint ops(h);
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "deny");
    REQUIRE(h.state_of("A-1") == "denied");
    h.command(requester, "/rollback", "web");
    h.click(requester, "A-2", "cancel");
    REQUIRE(h.state_of("A-2") == "cancelled");

    // The state is stored before the click's handler counts it: wait for the count, not the state.
    const std::string denied = "opsbot_actions_total{family=rollback,state=denied}";
    const std::string cancelled = "opsbot_actions_total{family=rollback,state=cancelled}";
    REQUIRE(eventually(
        [&] {
            const auto body = ops.get("/metrics").body;
            return body.find("state=\"denied\"") != std::string::npos &&
                   body.find("state=\"cancelled\"") != std::string::npos;
        },
        10s));
    auto parsed = parse_with_prometheus_client(ops.get("/metrics").body);
    CHECK(parsed.at(denied) == 1);
    CHECK(parsed.at(cancelled) == 1);
}

TEST_CASE("an http.listen address in use stops the runtime with exit code 1") {
    bot_harness h(with_endpoint());
    endpoint ops(h);
    temp_dir other;
    auto config = harness_config(h.slack().api_url(), (other.path() / "other.db").string(), nullptr, nullptr, nullptr,
                                 {});
    config.http = http_config{"127.0.0.1", *h.ops_http_port()};
    bot::runtime second(config, bot::slack_tokens{"xapp-x", "xoxb-x"}, {});
    CHECK(second.run() == 1);
}
