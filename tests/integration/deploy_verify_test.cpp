// `/deploy verify [env]`, the post-deploy checklist (runbook §7), against the real adapters and the fakes.
#include "bot/families.hpp"
#include "commands/deploy/check.hpp"
#include "commands/deploy/verify.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace opsbot;
using namespace opsbot::testing;
using commands::check_mark;
using commands::checklist;
using commands::deploy_timeouts;

namespace {

const std::string ok = "\xE2\x9C\x85 ";

commands::check_line line(const checklist& list, const std::string& label) {
    for (const auto& l : list.lines) {
        if (l.label == label) {
            return l;
        }
    }
    FAIL("no line " << label << " in\n" << list.render());
    throw std::logic_error("unreachable");
}

checklist verify(deploy_world& w, const std::string& env = "production",
                 std::chrono::milliseconds wait = std::chrono::seconds(8)) {
    deploy_timeouts t;
    t.checklist = wait;
    return commands::deploy_verify_checklist(w.config, w.platforms, w.clk, env, t);
}

std::vector<storage::audit_entry> audit_entries(deploy_world& w) {
    storage::audit_log log(w.db, w.clk);
    auto entries = log.entries();
    REQUIRE(entries);
    return *entries;
}

fake_sentry_issue issue(std::string short_id, std::string first_seen, std::string level = "error") {
    fake_sentry_issue i;
    i.id = short_id;
    i.short_id = short_id;
    i.title = "TypeError: x is undefined <script>";
    i.level = std::move(level);
    i.first_seen = first_seen;
    i.last_seen = first_seen;
    return i;
}

}  // namespace

TEST_CASE("deploy verify: all green is recorded as verify.succeeded", "[deploy][verify]") {
    deploy_world w;
    auto r = opsbot::bot::opsbot_families().answer(deploy_command("verify", {{"env", "production"}}), w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK_FALSE(r.notify_incident);
    CHECK(contains(r.text, ok + "*Health of api*: status ok, db ok, redis ok"));
    CHECK(contains(r.text, ok + "*Web loads*: " + w.web_page.url() + " answered 200"));
    CHECK(contains(r.text, ok + "*Sentry*: no new issues since 2026-11-26T11:00:00Z"));  // api's live deployment
    CHECK(contains(r.text, ok + "*BetterStack*: all 2 monitor(s) of the services are up"));
    CHECK(contains(r.text, "migration status needs `migrations` configured"));
    auto entries = audit_entries(w);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].event == "verify.succeeded");
    CHECK(entries[0].actor == "U01");
    auto detail = boost::json::parse(entries[0].detail_json).as_object();
    CHECK(detail.at("environment").as_string() == "production");
    CHECK(detail.at("lines").as_array().size() == 5);
}

TEST_CASE("deploy verify: each kind of red fails, is recorded, and asks for an incident post", "[deploy][verify]") {
    deploy_world w;
    std::string expected_label;
    SECTION("health: redis down") {
        w.api_health.set_checks("error", "ok", "down");
        expected_label = "Health of api";
    }
    SECTION("web answers 500") {
        w.web_page.set_answer(500, "oops");
        expected_label = "Web loads";
    }
    SECTION("a new Sentry error since the deployment") {
        w.sentry.set_issues({issue("API-7", "2026-11-26T11:30:00Z"), issue("API-1", "2026-11-26T10:30:00Z")});
        expected_label = "Sentry";
    }
    SECTION("a BetterStack monitor is down") {
        w.betterstack.set_monitors(
            {monitor("1", "API health", w.api_health.url(), "down"), monitor("2", "Web", w.web_page.url())});
        expected_label = "BetterStack";
    }
    auto r = commands::deploy_verify_reply(deploy_command("verify", {{"env", "production"}}), w.context());
    INFO(r.text);
    CHECK(r.is_error);
    CHECK(r.notify_incident);
    CHECK(contains(r.incident_summary, "`/deploy verify production` failed: " + expected_label));
    CHECK(contains(r.text, "\xE2\x9D\x8C *" + expected_label + "*"));
    auto entries = audit_entries(w);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].event == "verify.failed");
    if (expected_label == "Sentry") {
        CHECK(contains(r.text, "1 new issue(s) since 2026-11-26T11:00:00Z: API-7 TypeError: x is undefined &lt;script&gt;"));
        CHECK_FALSE(contains(r.text, "API-1"));  // first seen before the deployment
    }
}

TEST_CASE("deploy verify: a /health 503 names its failing checks (redis: error), not only the status",
          "[deploy][verify]") {
    deploy_world w;
    w.api_health.set_answer(503, R"({"status":"error","checks":{"db":"ok","redis":"error"}})");
    auto r = commands::deploy_verify_reply(deploy_command("verify", {{"env", "production"}}), w.context());
    INFO(r.text);
    CHECK(r.is_error);
    CHECK(contains(r.text, "\xE2\x9D\x8C *Health of api*: HTTP 503 (redis: error)"));
    CHECK(contains(r.incident_summary, "redis: error"));
    CHECK_FALSE(contains(r.text, "db: ok"));  // only what failed is named
}

TEST_CASE("deploy verify: new Sentry warnings only are a warning", "[deploy][verify]") {
    deploy_world w;
    w.sentry.set_issues({issue("API-9", "2026-11-26T11:45:00Z", "warning")});
    CHECK(line(verify(w), "Sentry").mark == check_mark::warn);
}

TEST_CASE("deploy verify: a monitoring API timing out is shown as such, the others still show",
          "[deploy][verify][timeout]") {
    deploy_world w;
    w.sentry.knobs().block();
    const auto started = std::chrono::steady_clock::now();
    auto list = verify(w, "production", std::chrono::milliseconds(1500));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
    INFO(list.render());
    CHECK(line(list, "Sentry").mark == check_mark::warn);
    CHECK(line(list, "Sentry").reason == "Sentry did not answer within 1.5 s");
    CHECK(line(list, "Health of api").mark == check_mark::ok);
    CHECK(line(list, "BetterStack").mark == check_mark::ok);
}

TEST_CASE("deploy verify: malformed JSON from each service", "[deploy][verify]") {
    deploy_world w;
    SECTION("/health") {
        w.api_health.set_answer(200, "<html>not json</html>");
        CHECK(line(verify(w), "Health of api").mark == check_mark::fail);
    }
    SECTION("Sentry") {
        w.sentry.knobs().malformed_next();
        const auto l = line(verify(w), "Sentry");
        CHECK(l.mark == check_mark::warn);
        CHECK(contains(l.reason, "Sentry:"));
    }
    SECTION("BetterStack") {
        w.betterstack.knobs().malformed_next();
        const auto l = line(verify(w), "BetterStack");
        INFO(l.reason);
        CHECK(l.mark == check_mark::warn);
        CHECK(contains(l.reason, "BetterStack:"));
    }
}

TEST_CASE("deploy verify staging: recorded, and then /deploy check counts staging as verified",
          "[deploy][verify][check]") {
    deploy_world w;
    auto before = commands::deploy_checklist(w.context(), {});
    auto r = commands::deploy_verify_reply(deploy_command("verify", {{"env", "staging"}}), w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK_FALSE(contains(r.text, "Web loads"));  // no staging URL for the web app
    auto after = commands::deploy_checklist(w.context(), {});
    auto staging = [](const checklist& list) {
        for (const auto& l : list.lines) {
            if (l.label == "Staging verified") {
                return l.mark;
            }
        }
        return check_mark::warn;
    };
    CHECK(staging(before) == check_mark::fail);
    CHECK(staging(after) == check_mark::ok);
}

TEST_CASE("deploy verify: each worker's start-up line is found or missing in the live deployment's logs",
          "[deploy][verify][logs]") {
    deploy_world w;
    w.config.services.at("api").verify_log_lines = {"message-processing", "broadcast-sending", "audit-processing"};
    w.railway.add_log("dep-live", "2026-11-26T11:00:04.000000000Z", "info", "Worker message-processing started");
    w.railway.add_log("dep-live", "2026-11-26T11:00:05.000000000Z", "info", "Worker broadcast-sending started");
    // The staging deployment's lines do not count for production.
    w.railway.add_log("dep-stg", "2026-11-26T09:00:05.000000000Z", "info", "Worker audit-processing started");
    auto list = verify(w);
    INFO(list.render());
    CHECK(line(list, "api logs: message-processing").mark == check_mark::ok);
    CHECK(line(list, "api logs: message-processing").reason ==
          "found in deployment dep-live at 2026-11-26T11:00:04.000000000Z");
    CHECK(line(list, "api logs: broadcast-sending").mark == check_mark::ok);
    CHECK(line(list, "api logs: audit-processing").mark == check_mark::fail);
    CHECK(line(list, "api logs: audit-processing").reason ==
          "missing from the logs of deployment dep-live: has that worker started?");
    // Searched in Railway with each line as one quoted phrase, in the live deployment.
    std::vector<std::string> filters;
    for (const auto& r : w.railway.requests()) {
        auto body = boost::json::parse(r.body).as_object();
        if (std::string(body.at("query").as_string()).find("deploymentLogs(") != std::string::npos) {
            CHECK(body.at("variables").at("deploymentId").as_string() == "dep-live");
            filters.emplace_back(body.at("variables").at("filter").as_string());
        }
    }
    std::sort(filters.begin(), filters.end());
    CHECK(filters == std::vector<std::string>{"\"audit-processing\"", "\"broadcast-sending\"",
                                              "\"message-processing\""});

    // Through the handler: the missing worker fails the verification and asks for an incident post.
    auto r = opsbot::bot::opsbot_families().answer(deploy_command("verify", {{"env", "production"}}), w.context());
    CHECK(r.is_error);
    CHECK(r.notify_incident);
    CHECK(contains(r.incident_summary, "api logs: audit-processing"));
}

TEST_CASE("deploy verify: logs that cannot be read are a warning, never a silent pass", "[deploy][verify][logs]") {
    deploy_world w;
    w.config.services.at("api").verify_log_lines = {"message-processing"};
    SECTION("no Railway adapter (its token unset)") {
        w.platforms.deploy.erase("api");
        auto list = verify(w);
        CHECK(line(list, "api logs: message-processing").mark == check_mark::warn);
        CHECK(line(list, "api logs: message-processing").reason ==
              "could not be read: no Railway adapter for api (is RAILWAY_TOKEN set?)");
    }
    SECTION("Railway refuses the logs query") {
        w.platforms.deploy["api"] =
            adapters::make_railway_platform(w.config.services.at("api"), "wrong-token", *w.platforms.http);
        auto list = verify(w);
        CHECK(line(list, "api logs: message-processing").mark == check_mark::warn);
        CHECK(contains(line(list, "api logs: message-processing").reason, "Not Authorized"));
    }
}

TEST_CASE("deploy verify: the checks no API can do are listed as manual items and recorded",
          "[deploy][verify][manual]") {
    deploy_world w;
    w.config.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
    auto r = commands::deploy_verify_reply(deploy_command("verify", {{"env", "production"}}), w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);  // manual items never mark the verification
    CHECK(contains(r.text, "\n\xE2\x80\xA2 Manual: if webhooks changed: send a test WhatsApp message and check it is "
                           "processed (the webhook event and the worker processing show in `/deploy logs api`)"));
    CHECK(contains(r.text, "\n\xE2\x80\xA2 Manual: if a migration ran: spot-check the affected data via API requests "
                           "or Prisma Studio: DATABASE_URL=\"$PRODUCTION_DATABASE_URL\" npx prisma studio"));
    auto entries = audit_entries(w);
    REQUIRE(entries.size() == 1);
    auto detail = boost::json::parse(entries[0].detail_json).as_object();
    REQUIRE(detail.at("manual").as_array().size() == 2);
    CHECK(contains(std::string(detail.at("manual").as_array()[0].as_string()), "WhatsApp"));
    CHECK(contains(std::string(detail.at("manual").as_array()[1].as_string()), "Prisma Studio"));
}
