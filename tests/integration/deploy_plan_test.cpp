// `/deploy web|api [env]`: the plan, its digest, and its steps run against the fakes (runbook §2, §3, §7).
#include "bot/families.hpp"
#include "commands/deploy/plan.hpp"
#include "commands/plan/step_runner.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::testing;

namespace {

commands::step_environment steps_env(deploy_world& w) {
    commands::step_environment env{w.platforms, w.clk, [&w](std::chrono::milliseconds d) { w.clk.advance(d); }};
    env.steps = &opsbot::bot::opsbot_families().steps();
    env.poll_interval = std::chrono::milliseconds(10);
    return env;
}

boost::json::object request(const std::string& service, const std::string& env) {
    return {{"family", "deploy"}, {"subcommand", ""}, {"args", {{"service", service}, {"env", env}}}};
}

}  // namespace

TEST_CASE("deploy plan: web production redeploys the live deployment, then verifies", "[deploy][plan]") {
    deploy_world w;
    auto p = opsbot::bot::opsbot_families().plan_again(request("web", "production"), {w.config, w.platforms, w.clk});
    REQUIRE(p);
    CHECK(p->family == "deploy");
    CHECK(p->service == "web");
    CHECK(p->environment == "production");
    REQUIRE(p->steps.size() == 2);
    CHECK(p->steps[0].kind == "vercel.redeploy");
    CHECK(p->steps[0].params.at("from").as_string() == "dpl_Live");
    CHECK(p->steps[0].params.at("target").as_string() == "production");
    CHECK(contains(p->steps[0].description, "`dpl_Live` (de8b89f, 2 h ago)"));
    // /deploy ships the branch's newest commit, and says so.
    CHECK(p->steps[0].params.at("latest_commit") == true);
    CHECK(contains(p->steps[0].description, "Deploy the latest commit of"));
    CHECK(p->steps[1].kind == "verify.run");
    CHECK(p->steps[1].params.at("environment").as_string() == "production");
    CHECK_FALSE(p->next_step_on_failure.empty());

    // Same world, same digest; a newer production deployment voids it.
    auto again = opsbot::bot::opsbot_families().plan_again(request("web", "production"), {w.config, w.platforms, w.clk});
    REQUIRE(again);
    CHECK(again->digest() == p->digest());
    fake_vercel_deployment newer;
    newer.uid = "dpl_Newer";
    newer.created = ms_at("2026-11-26T11:30:00Z");
    newer.ready_substate = "PROMOTED";
    newer.sha = old_sha;
    w.vercel.add_deployment(newer);
    auto moved = opsbot::bot::opsbot_families().plan_again(request("web", "production"), {w.config, w.platforms, w.clk});
    REQUIRE(moved);
    CHECK(moved->digest() != p->digest());
}

TEST_CASE("deploy plan: production is planned (approval), staging runs directly", "[deploy][plan]") {
    CHECK(opsbot::bot::opsbot_families().is_planned(deploy_command("", {{"service", "web"}, {"env", "production"}})));
    CHECK(opsbot::bot::opsbot_families().is_planned(deploy_command("", {{"service", "api"}})));
    CHECK_FALSE(opsbot::bot::opsbot_families().is_planned(deploy_command("", {{"service", "api"}, {"env", "staging"}})));
    CHECK_FALSE(opsbot::bot::opsbot_families().is_planned(deploy_command("status")));
    CHECK(opsbot::bot::opsbot_families().by_name("deploy")->binding("")->answer);
}

TEST_CASE("deploy plan: running web production's steps against the fakes", "[deploy][plan][steps]") {
    deploy_world w;
    commands::database_tools tools;
    tools.audit_db = &w.db;
    w.platforms.database = tools;
    auto p = opsbot::bot::opsbot_families().plan_again(request("web", "production"), {w.config, w.platforms, w.clk});
    REQUIRE(p);
    auto env = steps_env(w);
    auto redeployed = commands::run_step(p->steps[0], env);
    REQUIRE(redeployed);
    CHECK(contains(*redeployed, "is READY"));
    CHECK(w.vercel.count("POST", "/v13/deployments") == 1);
    CHECK(w.vercel.deployments().size() == 3);
    bool latest_sent = false;
    for (const auto& r : w.vercel.requests()) {
        if (r.method == "POST" && r.path == "/v13/deployments") {
            const auto body = boost::json::parse(r.body).as_object();
            latest_sent = body.contains("withLatestCommit") && body.at("withLatestCommit") == true;
        }
    }
    CHECK(latest_sent);
    auto verified = commands::run_step(p->steps[1], env);
    INFO((verified ? *verified : verified.error().message));
    REQUIRE(verified);
    CHECK(contains(*verified, "post-deploy verification of production passed (audit #1)"));
}

TEST_CASE("deploy plan: api production deploys on Railway, checks /health, verifies", "[deploy][plan][steps]") {
    deploy_world w;
    auto p = opsbot::bot::opsbot_families().plan_again(request("api", "production"), {w.config, w.platforms, w.clk});
    REQUIRE(p);
    REQUIRE(p->steps.size() == 3);
    CHECK(p->steps[0].kind == "railway.redeploy");
    CHECK(p->steps[0].params.at("from").as_string() == "dep-live");
    CHECK(p->steps[1].kind == "health.check");
    CHECK(p->steps[2].kind == "verify.run");
    auto env = steps_env(w);
    SECTION("succeeds") {
        auto deployed = commands::run_step(p->steps[0], env);
        INFO((deployed ? *deployed : deployed.error().message));
        REQUIRE(deployed);
        CHECK(contains(*deployed, "SUCCESS"));
        CHECK(w.railway.count_operation("serviceInstanceDeployV2") == 1);
        REQUIRE(commands::run_step(p->steps[1], env));
    }
    SECTION("a failed build fails the step") {
        w.railway.fail_next_deploy();
        auto deployed = commands::run_step(p->steps[0], env);
        REQUIRE_FALSE(deployed);
        CHECK(contains(deployed.error().message, "ended FAILED"));
    }
    SECTION("verify.run fails when the API is unhealthy") {
        w.api_health.set_checks("error", "down", "ok");
        auto verified = commands::run_step(p->steps[2], env);
        REQUIRE_FALSE(verified);
        CHECK(contains(verified.error().message, "Health of api"));
    }
}

TEST_CASE("deploy plan: web staging is refused with a reason, api staging dry run lists the steps",
          "[deploy][plan]") {
    deploy_world w;
    auto web = commands::deploy_now_reply(deploy_command("", {{"service", "web"}, {"env", "staging"}}), w.context());
    CHECK(web.is_error);
    CHECK(contains(web.text, "Vercel"));
    auto dry = deploy_command("", {{"service", "api"}, {"env", "staging"}});
    dry.flags["dry-run"] = "";
    auto r = commands::deploy_now_reply(dry, w.context());
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "replacing `dep-stg`"));
    CHECK(contains(r.text, "Dry run"));
    CHECK(w.railway.count_operation("serviceInstanceDeployV2") == 0);
}
