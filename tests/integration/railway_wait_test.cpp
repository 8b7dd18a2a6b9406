// A step waiting for a Railway deployment reports a deployment held for approval at once (issue 12 item 9):
// NEEDS_APPROVAL is neither in progress nor failed, and waiting the step's 20 minutes would not change it.
#include "commands/deploy_plan.hpp"
#include "commands/planner.hpp"
#include "commands/step_runner.hpp"
#include "tests/integration/deploy_test_fixture.hpp"

#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::testing;

TEST_CASE("railway.redeploy: a deployment waiting for approval fails the step at once, saying so", "[railway][steps]") {
    deploy_world w;
    const boost::json::object request{
        {"family", "deploy"}, {"subcommand", ""}, {"args", {{"service", "api"}, {"env", "production"}}}};
    auto p = commands::make_plan(w.config, w.platforms, request, w.clk);
    REQUIRE(p);
    REQUIRE(p->steps[0].kind == "railway.redeploy");
    commands::step_environment env{w.platforms, w.clk, [&w](std::chrono::milliseconds d) { w.clk.advance(d); }};
    env.poll_interval = std::chrono::seconds(5);
    const auto started = w.clk.now();

    w.railway.hold_next_deploy_for_approval();
    auto deployed = commands::run_step(p->steps[0], env);
    REQUIRE_FALSE(deployed);
    CHECK(contains(deployed.error().message, "waiting for approval in Railway's dashboard (NEEDS_APPROVAL)"));
    CHECK(w.clk.now() - started < std::chrono::minutes(1));  // not the step's whole timeout
    CHECK(w.railway.count_operation("serviceInstanceDeployV2") == 1);
}
