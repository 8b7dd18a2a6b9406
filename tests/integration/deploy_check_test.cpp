// `/deploy check`, the pre-deploy checklist (runbook §1), against the real adapters and the protocol fakes.
#include "bot/families.hpp"
#include "commands/deploy/check.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::testing;
using commands::check_mark;
using commands::checklist;
using commands::deploy_timeouts;

namespace {

const std::string ok = "\xE2\x9C\x85 ";
const std::string warn = "\xE2\x9A\xA0\xEF\xB8\x8F ";
const std::string bad = "\xE2\x9D\x8C ";

void add_secret(stack_config& config, const std::string& name, std::vector<std::string> services) {
    secret_config s;
    s.name = name;
    s.generate = opsbot::secret_generator::manual;
    s.services = std::move(services);
    config.secrets[name] = s;
}

/// Env names as the platforms would list them; values never reach the checklist (the hook carries names only).
void serve_env_names(deploy_world& w, std::set<std::string> web, std::set<std::string> api) {
    w.platforms.env_names = [web, api](const std::string& service, const std::string& environment)
        -> result<std::set<std::string>> {
        REQUIRE(environment == "production");
        return service == "web" ? web : api;
    };
}

commands::check_line line(const checklist& list, const std::string& label) {
    for (const auto& l : list.lines) {
        if (l.label == label) {
            return l;
        }
    }
    FAIL("no line " << label << " in\n" << list.render());
    throw std::logic_error("unreachable");
}

checklist check(deploy_world& w, std::chrono::milliseconds wait = std::chrono::seconds(8)) {
    deploy_timeouts t;
    t.checklist = wait;
    return commands::deploy_checklist(w.context(), t);
}

}  // namespace

TEST_CASE("deploy check: all green (Actions-only repo, staging verified after its deploy, secrets everywhere)",
          "[deploy][check]") {
    deploy_world w;
    add_secret(w.config, "BETTER_AUTH_SECRET", {"api"});
    add_secret(w.config, "SENTRY_DSN", {"api", "web"});
    serve_env_names(w, {"SENTRY_DSN", "NEXT_PUBLIC_URL"}, {"SENTRY_DSN", "BETTER_AUTH_SECRET", "DATABASE_URL"});
    w.audit("verify.succeeded", "staging");  // now (12:00) is after dep-stg (09:00)

    auto r = opsbot::bot::opsbot_families().answer(deploy_command("check"), w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, ok + "*CI on main*"));
    CHECK(contains(r.text, ok + "*Staging verified*: `/deploy verify staging` passed at 2026-11-26T12:00:00Z, after"));
    CHECK(contains(r.text, warn + "*Migrations*: migration status needs `migrations` configured"));
    CHECK(contains(r.text, ok + "*Env vars*: every configured secret is set where it belongs (names: 3 on api "
                                "(Railway), 2 on web (Vercel))"));
    CHECK(contains(r.text, ok + "*Deploy order*: every service already runs de8b89f"));
    // The Actions-only repository has no statuses: the adapter asked for both and still judged green.
    CHECK(count_requests(w.github.requests(), "GET", "/repos/acme/app/commits/") >= 2);
}

TEST_CASE("deploy check: each kind of red is a ❌ line with its reason", "[deploy][check]") {
    deploy_world w;
    w.audit("verify.succeeded", "staging");
    SECTION("CI failed") {
        w.github.set_check_runs({check_run("lint"), check_run("test", "completed", "failure")});
        auto list = check(w);
        CHECK(line(list, "CI on main").mark == check_mark::fail);
        CHECK(contains(line(list, "CI on main").reason, "test"));
        auto r = commands::deploy_check_reply(deploy_command("check"), w.context());
        CHECK(r.is_error);
    }
    SECTION("CI still running is a warning") {
        w.github.set_check_runs({check_run("lint"), check_run("test", "in_progress", std::nullopt)});
        CHECK(line(check(w), "CI on main").mark == check_mark::warn);
    }
    SECTION("a failing commit status") {
        fake_commit_status status;
        status.context = "ci/jenkins";
        status.state = "failure";
        w.github.set_statuses({status});
        CHECK(line(check(w), "CI on main").mark == check_mark::fail);
    }
    SECTION("staging deployed after the last verification") {
        fake_railway_deployment newer;
        newer.id = "dep-stg2";
        newer.environment_id = w.railway.settings().environments.at("staging");
        newer.created_at = "2026-11-26T12:30:00.000Z";
        w.railway.add_deployment(newer);
        const auto l = line(check(w), "Staging verified");
        CHECK(l.mark == check_mark::fail);
        CHECK(contains(l.reason, "api dep-stg2"));
    }
    SECTION("the last staging verification failed") {
        w.clk.advance(std::chrono::minutes(5));
        w.audit("verify.failed", "staging");
        const auto l = line(check(w), "Staging verified");
        CHECK(l.mark == check_mark::fail);
        CHECK(contains(l.reason, "failed"));
    }
    SECTION("a secret missing on one platform") {
        add_secret(w.config, "SENTRY_DSN", {"api", "web"});
        serve_env_names(w, {"NEXT_PUBLIC_URL"}, {"SENTRY_DSN"});
        const auto l = line(check(w), "Env vars");
        CHECK(l.mark == check_mark::fail);
        CHECK(l.reason == "missing: SENTRY_DSN on web (Vercel)");
    }
    SECTION("both services change: the API goes first") {
        w.github.set_head("main", "f00dfeed00000000000000000000000000000000");
        const auto l = line(check(w), "Deploy order");
        CHECK(l.mark == check_mark::warn);
        CHECK(contains(l.reason, "deploy api first"));
    }
}

TEST_CASE("deploy check: staging never verified", "[deploy][check]") {
    deploy_world w;
    const auto l = line(check(w), "Staging verified");
    CHECK(l.mark == check_mark::fail);
    CHECK(l.reason == "no successful `/deploy verify staging` in the audit log");
}

TEST_CASE("deploy check: GitHub timing out is shown as such, the other lines still come",
          "[deploy][check][timeout]") {
    deploy_world w;
    w.audit("verify.succeeded", "staging");
    w.github.knobs().block();
    const auto started = std::chrono::steady_clock::now();
    auto list = check(w, std::chrono::milliseconds(1500));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
    INFO(list.render());
    CHECK(line(list, "CI on main").mark == check_mark::warn);
    CHECK(line(list, "CI on main").reason == "GitHub did not answer within 1.5 s");
    CHECK(line(list, "Staging verified").mark == check_mark::ok);
    CHECK(line(list, "Deploy order").mark == check_mark::warn);  // no CI head to compare with
}

TEST_CASE("deploy check: malformed JSON from each service", "[deploy][check]") {
    deploy_world w;
    w.audit("verify.succeeded", "staging");
    SECTION("GitHub") {
        w.github.knobs().malformed_next();
        const auto l = line(check(w), "CI on main");
        CHECK(l.mark == check_mark::fail);
        CHECK(contains(l.reason, "GitHub:"));
    }
    SECTION("Railway (staging deploy unknown: the verification alone decides)") {
        w.railway.knobs().malformed_next();
        auto list = check(w);
        CHECK(line(list, "CI on main").mark == check_mark::ok);
        CHECK(line(list, "Staging verified").mark == check_mark::ok);
    }
    SECTION("Vercel (web's live commit unknown)") {
        w.vercel.knobs().malformed_next();
        auto list = check(w);
        CHECK(line(list, "Deploy order").mark == check_mark::ok);
        CHECK(line(list, "Deploy order").reason == "only web changes");
    }
}

TEST_CASE("deploy check: env names that cannot be read are a warning, never a value", "[deploy][check]") {
    deploy_world w;
    SECTION("no reader in this build") {
        CHECK(line(check(w), "Env vars").mark == check_mark::warn);
    }
    SECTION("the platform refuses") {
        w.platforms.env_names = [](const std::string&, const std::string&) -> result<std::set<std::string>> {
            return fail(error_kind::auth, "Vercel: forbidden: Not authorized");
        };
        const auto l = line(check(w), "Env vars");
        CHECK(l.mark == check_mark::warn);
        CHECK(contains(l.reason, "forbidden"));
    }
}
