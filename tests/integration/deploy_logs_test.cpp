// `/deploy logs <service> [N] [--errors]` (issue 15 item 6) against the real Railway adapter and the wire fake:
// the bounds of N, Railway's error filter, the redactor on every line, and a Vercel service answered plainly.
#include "bot/families.hpp"
#include "commands/deploy/logs.hpp"
#include "commands/grammar/parser.hpp"
#include "core/redactor.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace opsbot;
using namespace opsbot::testing;

namespace {

commands::reply logs(deploy_world& w, std::map<std::string, std::string> args) {
    return bot::opsbot_families().answer(deploy_command("logs", std::move(args)), w.context());
}

/// The `variables` of each deploymentLogs request the fake received.
std::vector<boost::json::object> log_requests(deploy_world& w) {
    std::vector<boost::json::object> out;
    for (const auto& r : w.railway.requests()) {
        auto body = boost::json::parse(r.body).as_object();
        if (std::string(body.at("query").as_string()).find("deploymentLogs(") != std::string::npos) {
            out.push_back(body.at("variables").as_object());
        }
    }
    return out;
}

std::string stamp(int second) {
    return fmt::format("2026-11-26T11:{:02d}:{:02d}.000000000Z", second / 60, second % 60);
}

}  // namespace

TEST_CASE("deploy logs: the last 50 lines of the live deployment by default, oldest first", "[deploy][logs]") {
    deploy_world w;
    for (int i = 1; i <= 60; ++i) {
        w.railway.add_log("dep-live", stamp(i), "info", fmt::format("request {} served", i));
    }
    w.railway.add_log("dep-stg", stamp(61), "info", "a staging line");
    auto r = logs(w, {{"service", "api"}});
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK_FALSE(r.in_channel);
    CHECK(contains(r.text, "*Logs of api*, live production deployment `dep-live`: the last 50 line(s) asked for"));
    CHECK(contains(r.text, "2026-11-26T11:01:00 info request 60 served\n```"));
    CHECK(contains(r.text, "request 11 served"));
    CHECK_FALSE(contains(r.text, "request 10 served"));
    CHECK(r.text.find("request 11 served") < r.text.find("request 60 served"));
    CHECK_FALSE(contains(r.text, "staging"));
    auto sent = log_requests(w);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].at("deploymentId").as_string() == "dep-live");
    CHECK(sent[0].at("limit").as_int64() == 50);
    CHECK(sent[0].at("filter").as_string() == "");
}

TEST_CASE("deploy logs: N is bounded, in the grammar and in the handler", "[deploy][logs]") {
    deploy_world w;
    w.railway.add_log("dep-live", stamp(1), "info", "one");
    w.railway.add_log("dep-live", stamp(2), "info", "two");
    auto two = logs(w, {{"service", "api"}, {"lines", "1"}});
    CHECK_FALSE(two.is_error);
    CHECK(contains(two.text, "two"));
    CHECK_FALSE(contains(two.text, "info one"));
    auto too_many = logs(w, {{"service", "api"}, {"lines", "201"}});
    CHECK(too_many.is_error);
    CHECK(contains(too_many.text, "Show 1 to 200 lines"));
    CHECK(log_requests(w).size() == 1);  // a refused N asks Railway nothing

    // The grammar: N is a whole number from 1; anything else is a usage error naming it.
    const auto& families = bot::opsbot_families();
    const auto* deploy = families.by_command("/deploy");
    REQUIRE(deploy != nullptr);
    const auto parse = [&](const std::string& text) {
        auto tokens = commands::tokenize(text);
        REQUIRE(tokens);
        return commands::parse_command(deploy->spec, *tokens, w.config, families.specs());
    };
    auto fine = parse("logs api 100 --errors");
    REQUIRE(fine);
    CHECK(fine->arg("lines") == "100");
    CHECK(fine->has_flag("errors"));
    for (const std::string bad : {"logs api 0", "logs api many", "logs api -5", "logs api 99999"}) {
        INFO(bad);
        auto refused = parse(bad);
        REQUIRE_FALSE(refused);
    }
    CHECK(contains(parse("logs api many").error().message, "Expected N"));
}

TEST_CASE("deploy logs --errors asks Railway for @level:error and shows only those", "[deploy][logs]") {
    deploy_world w;
    w.railway.add_log("dep-live", stamp(1), "info", "GET /health 200");
    w.railway.add_log("dep-live", stamp(2), "error", "broadcast 812 failed");
    w.railway.add_log("dep-live", stamp(3), "info", "POST /webhooks 200");
    auto r = logs(w, {{"service", "api"}, {"lines", "20"}});
    CHECK(contains(r.text, "GET /health 200"));
    r = commands::deploy_logs_reply(
        [] {
            auto c = deploy_command("logs", {{"service", "api"}, {"lines", "20"}});
            c.flags["errors"] = "";
            return c;
        }(),
        w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "the last 20 error line(s) asked for (`@level:error`)"));
    CHECK(contains(r.text, "2026-11-26T11:00:02 error broadcast 812 failed"));
    CHECK_FALSE(contains(r.text, "GET /health"));
    CHECK_FALSE(contains(r.text, "POST /webhooks"));
    auto sent = log_requests(w);
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].at("filter").as_string() == "@level:error");
}

TEST_CASE("deploy logs: every line passes the redactor, secrets and token shapes alike", "[deploy][logs]") {
    deploy_world w;
    const std::string secret = "configured-secret-value-6f1d2a";
    global_redactor().add_secret(secret, "BETTER_AUTH_SECRET");
    w.railway.add_log("dep-live", stamp(1), "info", "auth ready with " + secret);
    w.railway.add_log("dep-live", stamp(2), "info", "posting to Slack with xoxb-1234567890-abcdefghijkl");
    w.railway.add_log("dep-live", stamp(3), "warn", "<script> & `code` ``` end");
    auto r = logs(w, {{"service", "api"}});
    global_redactor().remove_secret(secret);
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK_FALSE(contains(r.text, secret));
    CHECK_FALSE(contains(r.text, "xoxb-1234567890"));
    CHECK(contains(r.text, "auth ready with [redacted:BETTER_AUTH_SECRET]"));
    CHECK(contains(r.text, "posting to Slack with xoxb-[redacted]"));
    // Raw text is escaped for mrkdwn, and a ``` inside a line cannot end the code block.
    CHECK(contains(r.text, "&lt;script&gt; &amp; `code` ''' end"));
}

TEST_CASE("deploy logs of a Vercel service says plainly it is not supported", "[deploy][logs]") {
    deploy_world w;
    auto r = logs(w, {{"service", "web"}});
    CHECK(r.is_error);
    CHECK(contains(r.text, "`web` runs on Vercel"));
    CHECK(contains(r.text, "reads Railway's deployment logs"));
    auto unknown = logs(w, {{"service", "worker"}});
    CHECK(unknown.is_error);
    CHECK(contains(unknown.text, "worker"));
    CHECK(log_requests(w).empty());
}

TEST_CASE("deploy logs: Railway refusing the token is an error that says so", "[deploy][logs]") {
    deploy_world w;
    w.platforms.deploy["api"] =
        adapters::make_railway_platform(w.config.services.at("api"), "wrong-token", *w.platforms.http);
    auto r = logs(w, {{"service", "api"}});
    INFO(r.text);
    CHECK(r.is_error);
    CHECK(contains(r.text, "No live production deployment of `api`"));
    CHECK(contains(r.text, "Not Authorized"));
}
