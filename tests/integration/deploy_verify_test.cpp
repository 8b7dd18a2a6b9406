// `/deploy verify [env]`, the post-deploy checklist (runbook §7), against the real adapters and the fakes.
#include "commands/deploy_check.hpp"
#include "commands/deploy_verify.hpp"
#include "commands/handlers.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

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
    auto handler = commands::find_handler(deploy_command("verify", {{"env", "production"}}));
    REQUIRE(handler != nullptr);
    auto r = handler(deploy_command("verify", {{"env", "production"}}), w.context());
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
