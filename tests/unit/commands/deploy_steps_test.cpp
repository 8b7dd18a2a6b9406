// The acting deploy and rollback steps against the in-memory platforms of fakes/ (issue 12): each re-checks right
// before it acts that the live deployment is still the plan's `from` (item 2), and after an unclear answer reads the
// platform instead of sending the mutation again (item 3).
#include "bot/families.hpp"
#include "commands/plan/step_runner.hpp"
#include "tests/unit/commands/deploy_world.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

using namespace opsbot;
using namespace opsbot::commands;
using namespace opsbot::commands::testing;
using namespace std::chrono_literals;

namespace {

result<std::string> run(deploy_world& w, const plan_step& step) {
    static manual_clock clk;
    step_environment env{w.platforms, clk, [](std::chrono::milliseconds) {}, 0ms};
    env.steps = &opsbot::bot::opsbot_families().steps();
    return run_step(step, env);
}

plan_step railway_rollback(std::string mode = "rollback") {
    plan_step s;
    s.kind = "railway.rollback";
    s.params = {{"service", "api"}, {"environment", "production"}, {"from", "rw-live"}, {"to", "rw-prev"},
                {"mode", mode}};
    return s;
}

plan_step vercel_rollback(std::string mode = "rollback") {
    plan_step s;
    s.kind = "vercel.rollback";
    s.params = {{"service", "web"}, {"from", "dpl_A"}, {"to", "dpl_Prev"}, {"mode", mode}};
    return s;
}

/// A vercel.redeploy step: a /deploy one (`from` still live) unless `follow_live` (a rotation's).
plan_step vercel_redeploy(bool follow_live, bool latest_commit = false) {
    plan_step s;
    s.kind = "vercel.redeploy";
    s.params = {{"service", "web"}, {"name", "web"}, {"target", "production"}, {"latest_commit", latest_commit}};
    if (follow_live) {
        s.params["follow_live"] = true;
    } else {
        s.params["from"] = "dpl_A";
    }
    return s;
}

void require_changed(const result<std::string>& r, const std::string& expected, const std::string& now) {
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::changed_since_approval);
    CHECK(r.error().message.starts_with("production changed since approval: "));
    CHECK(contains(r.error().message, "`" + expected + "`"));
    CHECK(contains(r.error().message, "`" + now + "`"));
}

void require_unknown(const result<std::string>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::unknown_outcome);
    CHECK(r.error().message.starts_with("outcome unknown: "));
    CHECK(contains(r.error().message, "the platform shows no change; check by hand, not retried"));
}

}  // namespace

// ------------------------------------------------------------------------------------ item 3: unknown outcome

TEST_CASE("a Railway rollback answered 502 after acting is sent once and succeeds, saying the answer was lost",
          "[commands][steps]") {
    deploy_world w;
    w.api->set_next_answer(next_answer::lost_after_acting);
    auto r = run(w, railway_rollback());
    INFO((r ? *r : r.error().message));
    REQUIRE(r);
    CHECK(w.api->mutations() == 1);
    CHECK(w.log.calls() == std::vector<std::string>{"railway.rollback api rw-prev"});
    CHECK(contains(*r, "the answer was lost; the platform shows it acted"));
    CHECK(w.api->live_id("production").starts_with("rw-new-1-from-rw-prev"));
}

TEST_CASE("a Railway rollback whose answer was lost and that did not act fails without a second call",
          "[commands][steps]") {
    deploy_world w;
    w.api->set_next_answer(next_answer::lost_without_acting);
    auto r = run(w, railway_rollback());
    require_unknown(r);
    CHECK(w.api->mutations() == 1);
    CHECK(w.api->live_id("production") == "rw-live");
}

TEST_CASE("a Railway redeploy (rollback keeping the current variables) with a lost answer: read, never resent",
          "[commands][steps]") {
    deploy_world w;
    SECTION("acted") {
        w.api->set_next_answer(next_answer::lost_after_acting);
        auto r = run(w, railway_rollback("redeploy"));
        REQUIRE(r);
        CHECK(contains(*r, "the answer was lost; the platform shows it acted"));
        CHECK(contains(*r, "with the current variables"));
    }
    SECTION("did not act") {
        w.api->set_next_answer(next_answer::lost_without_acting);
        require_unknown(run(w, railway_rollback("redeploy")));
    }
    CHECK(w.api->mutations() == 1);
    CHECK(w.log.calls() == std::vector<std::string>{"railway.redeploy api rw-prev"});
}

TEST_CASE("a /deploy on Railway with a lost answer: the new deployment found, or unknown, one call either way",
          "[commands][steps]") {
    deploy_world w;
    plan_step deploy;
    deploy.kind = "railway.redeploy";
    deploy.params = {{"service", "api"}, {"environment", "production"}, {"from", "rw-live"}};
    SECTION("acted") {
        w.api->set_next_answer(next_answer::lost_after_acting);
        auto r = run(w, deploy);
        REQUIRE(r);
        CHECK(contains(*r, "the answer was lost"));
    }
    SECTION("did not act") {
        w.api->set_next_answer(next_answer::lost_without_acting);
        require_unknown(run(w, deploy));
    }
    CHECK(w.api->mutations() == 1);
}

TEST_CASE("a Vercel rollback with a lost answer: the alias job is read, the request never resent", "[commands][steps]") {
    deploy_world w;
    SECTION("acted") {
        w.web->set_next_answer(next_answer::lost_after_acting);
        auto r = run(w, vercel_rollback());
        REQUIRE(r);
        CHECK(contains(*r, "the answer was lost; the platform shows it acted"));
        CHECK(w.web->current_production()->id == "dpl_Prev");
    }
    SECTION("did not act") {
        w.web->set_next_answer(next_answer::lost_without_acting);
        require_unknown(run(w, vercel_rollback()));
        CHECK(w.web->current_production()->id == "dpl_A");
    }
    CHECK(w.web->mutations() == 1);
}

TEST_CASE("a Vercel redeploy with a lost answer: the new build is found by its commit, or the step fails unknown",
          "[commands][steps]") {
    deploy_world w;
    const plan_step redeploy = vercel_redeploy(false);
    SECTION("acted") {
        w.web->set_next_answer(next_answer::lost_after_acting);
        auto r = run(w, redeploy);
        REQUIRE(r);
        CHECK(contains(*r, "dpl_Rebuild1"));
        CHECK(contains(*r, "the answer was lost"));
    }
    SECTION("did not act") {
        w.web->set_next_answer(next_answer::lost_without_acting);
        require_unknown(run(w, redeploy));
    }
    CHECK(w.web->mutations() == 1);
}

// ------------------------------------------------------------------------------------ item 2: preconditions

TEST_CASE("every acting deploy step stops when the live deployment is no longer the plan's `from`",
          "[commands][steps]") {
    deploy_world w;
    w.api->ship("production", "rw-hotfix");
    w.web->ship("dpl_B", "bbbbbbb");
    SECTION("railway.rollback") {
        require_changed(run(w, railway_rollback()), "rw-live", "rw-hotfix");
        CHECK(w.api->mutations() == 0);
    }
    SECTION("railway.rollback keeping the variables") {
        require_changed(run(w, railway_rollback("redeploy")), "rw-live", "rw-hotfix");
        CHECK(w.api->mutations() == 0);
    }
    SECTION("railway.redeploy of /deploy") {
        plan_step deploy;
        deploy.kind = "railway.redeploy";
        deploy.params = {{"service", "api"}, {"environment", "production"}, {"from", "rw-live"}};
        require_changed(run(w, deploy), "rw-live", "rw-hotfix");
        CHECK(w.api->mutations() == 0);
    }
    SECTION("vercel.rollback, promote and rebuild") {
        for (const char* mode : {"rollback", "promote", "rebuild"}) {
            require_changed(run(w, vercel_rollback(mode)), "dpl_A", "dpl_B");
        }
        CHECK(w.web->mutations() == 0);
    }
    SECTION("vercel.redeploy of /deploy") {
        require_changed(run(w, vercel_redeploy(false, true)), "dpl_A", "dpl_B");
        CHECK(w.web->mutations() == 0);
    }
}

TEST_CASE("a rotation's redeploy rebuilds what is live when it acts, never the id seen at planning",
          "[commands][steps]") {
    deploy_world w;
    w.web->ship("dpl_B", "bbbbbbb");  // shipped while the rotation waited for a person
    auto r = run(w, vercel_redeploy(true));
    REQUIRE(r);
    CHECK(w.log.calls() == std::vector<std::string>{"vercel.redeploy dpl_B"});
    CHECK(contains(*r, "rebuilt `dpl_B` (bbbbbbb), the deployment live when this step acted"));
    CHECK(w.web->current_production()->commit_sha == "bbbbbbb");  // production did not go back to dpl_A's code
}

TEST_CASE("a Vercel rollback in rebuild mode builds the target's commit as a new deployment", "[commands][steps]") {
    deploy_world w;
    auto r = run(w, vercel_rollback("rebuild"));
    REQUIRE(r);
    CHECK(w.log.calls() == std::vector<std::string>{"vercel.redeploy dpl_Prev"});
    CHECK(w.web->current_production()->commit_sha == "2222222");
    CHECK(contains(*r, "with the current environment"));
}

// ------------------------------------------------------------------------------------ issue 16 item 5: a build that fails

TEST_CASE("a Vercel redeploy whose build ends ERROR or CANCELED fails the step naming the state, production unchanged",
          "[commands][steps]") {
    for (const std::string state : {"ERROR", "CANCELED"}) {
        INFO(state);
        deploy_world w;
        w.web->end_next_build(state);
        auto r = run(w, vercel_redeploy(false));
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::conflict);
        CHECK(contains(r.error().message, "ended " + state));
        CHECK(contains(r.error().message, "dpl_Rebuild1"));
        CHECK(w.web->mutations() == 1);  // one build asked for, never a second
        auto live = w.web->current_production();
        REQUIRE(live);
        CHECK(live->id == "dpl_A");
    }
}
