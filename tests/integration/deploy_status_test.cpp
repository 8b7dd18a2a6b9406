// `/deploy status` against the real adapters and the protocol fakes (issue #4, runbook §2, §3, §7).
#include "bot/families.hpp"
#include "commands/deploy/status.hpp"
#include "storage/lock_store.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::testing;
using commands::deploy_timeouts;

namespace {

commands::reply status_of(deploy_world& w, deploy_timeouts t = {}) {
    return commands::deploy_status_reply(deploy_command("status"), w.context(), t);
}

}  // namespace

TEST_CASE("deploy status: all green shows both live deployments, health, migrations and locks", "[deploy][status]") {
    deploy_world w;
    auto r = opsbot::bot::opsbot_families().answer(deploy_command("status"), w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "*web* (Vercel): `dpl_Live` · commit `de8b89f` · 2 h ago · READY"));
    CHECK(contains(r.text, "*api* (Railway): `dep-live` · commit `de8b89f` · 1 h ago · SUCCESS"));
    CHECK(contains(r.text, "/health: status ok, db ok, redis ok"));
    CHECK(contains(r.text, "migration status needs `migrations` configured"));
    CHECK(contains(r.text, "*Locks*: none"));
    CHECK_FALSE(contains(r.text, "dep-stg"));  // staging is not production
}

TEST_CASE("deploy status: active locks are listed with holder and reason, escaped", "[deploy][status]") {
    deploy_world w;
    storage::lock_store locks(w.db, w.clk);
    REQUIRE(locks.claim("api", "production", "U02", "incident <42> & co", w.clk.now() + std::chrono::hours(1)));
    auto r = status_of(w);
    INFO(r.text);
    CHECK(contains(r.text, "`api` production held by `U02` until 2026-11-26T13:00:00Z: incident &lt;42&gt; &amp; co"));
}

TEST_CASE("deploy status: a platform that does not answer is shown as such and the others still show",
          "[deploy][status][timeout]") {
    deploy_world w;
    w.vercel.knobs().block();
    const auto started = std::chrono::steady_clock::now();
    auto r = status_of(w, deploy_timeouts{std::chrono::milliseconds(1500)});
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(r.text);
    CHECK(took < std::chrono::milliseconds(2900));
    CHECK(w.vercel.knobs().wait_blocked(1, std::chrono::milliseconds(100)));
    CHECK(contains(r.text, "*web* (Vercel): \xE2\x9A\xA0\xEF\xB8\x8F Vercel did not answer within 1.5 s"));
    CHECK(contains(r.text, "`dep-live`"));
    CHECK(contains(r.text, "/health: status ok"));
}

TEST_CASE("deploy status: the health endpoint timing out does not hold the answer", "[deploy][status][timeout]") {
    deploy_world w;
    w.api_health.knobs().block();
    const auto started = std::chrono::steady_clock::now();
    auto r = status_of(w, deploy_timeouts{std::chrono::milliseconds(1000)});
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2900));
    INFO(r.text);
    CHECK(contains(r.text, "/health did not answer within 1 s"));
    CHECK(contains(r.text, "`dpl_Live`"));
    CHECK(contains(r.text, "`dep-live`"));
}

TEST_CASE("deploy status: red states are shown per service", "[deploy][status]") {
    deploy_world w;
    SECTION("unhealthy API") {
        w.api_health.set_checks("degraded", "ok", "down");
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "\xE2\x9D\x8C /health: status degraded, db ok, redis down"));
        CHECK(contains(r.text, "`dpl_Live`"));
    }
    SECTION("Vercel refuses the token") {
        w.vercel.knobs().fail_next(403, R"({"error":{"code":"forbidden","message":"Not authorized"}})");
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "*web* (Vercel): \xE2\x9D\x8C"));
        CHECK(contains(r.text, "Not authorized"));
        CHECK(contains(r.text, "`dep-live`"));
    }
    SECTION("Railway GraphQL error") {
        w.railway.knobs().graphql_error_next("Not Authorized");
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "*api* (Railway): \xE2\x9D\x8C"));
        CHECK(contains(r.text, "`dpl_Live`"));
    }
}

TEST_CASE("deploy status: malformed JSON from each service is an error line, not a crash", "[deploy][status]") {
    deploy_world w;
    SECTION("Vercel") {
        w.vercel.knobs().malformed_next();
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "*web* (Vercel): \xE2\x9D\x8C"));
        CHECK(contains(r.text, "`dep-live`"));
    }
    SECTION("Railway") {
        w.railway.knobs().malformed_next();
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "*api* (Railway): \xE2\x9D\x8C"));
        CHECK(contains(r.text, "`dpl_Live`"));
    }
    SECTION("/health") {
        w.api_health.set_answer(200, "{not json");
        auto r = status_of(w);
        INFO(r.text);
        CHECK(contains(r.text, "\xE2\x9D\x8C /health:"));
        CHECK(contains(r.text, "`dep-live`"));
    }
}
