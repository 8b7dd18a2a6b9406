// Rollback plans and rotated secrets (issue 12 item 10): a rollback restores the target's variables on both
// platforms, so a rotation of the service's secrets newer than the target (from the audit log) makes the plan keep
// the current values: Railway redeploys the target's build (deploymentRedeploy), Vercel rebuilds its commit.
#include "bot/families.hpp"
#include "commands/rollback/plan.hpp"
#include "commands/plan/step_runner.hpp"
#include "storage/action_store.hpp"
#include "storage/database.hpp"
#include "tests/unit/commands/deploy_world.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace opsbot;
using namespace opsbot::commands;
using namespace opsbot::commands::testing;
using namespace std::chrono_literals;

namespace {

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
    return std::ranges::any_of(lines, [&](const auto& l) { return l.find(needle) != std::string::npos; });
}

clock::time_point at(const char* iso) {
    std::tm tm{};
    strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct rollback_world {
    deploy_world platforms_world;
    stack_config config = example_config();  // BETTER_AUTH_SECRET, OPENAI_API_KEY, CEK on api
    storage::database db{":memory:"};
    manual_clock clk{at("2026-11-27T12:00:00")};

    rollback_world() {
        secret_config token;
        token.name = "SENTRY_AUTH_TOKEN";
        token.generate = opsbot::secret_generator::manual;
        token.services = {"web"};
        config.secrets[token.name] = token;
        platforms_world.platforms.database = database_tools{{}, {}, &db, process_env};
    }
    platform_registry& platforms() { return platforms_world.platforms; }

    /// A rotation of `secret` that succeeded now (the audit log records "action.succeeded" at clk.now()).
    std::string rotated(const std::string& secret) {
        storage::action_store actions(db, clk);
        plan rotation;
        rotation.family = "rotate";
        rotation.title = "Rotate " + secret + " (production)";
        rotation.request = {{"family", "rotate"}, {"args", boost::json::object{{"secret", secret}}}};
        auto id = actions.create({"rotate", rotation.title, user_id{"U01"}, channel_id{"C0123OPS"},
                                  boost::json::serialize(rotation.to_json()), rotation.digest(), 1,
                                  clk.now() + 15min});
        REQUIRE(id);
        using storage::action_state;
        REQUIRE(actions.transition(*id, action_state::awaiting_approval, action_state::approved, "U02"));
        REQUIRE(actions.transition(*id, action_state::approved, action_state::running, "opsbot"));
        REQUIRE(actions.transition(*id, action_state::running, action_state::succeeded, "opsbot"));
        return id->str();
    }

    plan planned(const std::string& service) {
        auto p = plan_rollback(config, platforms(), rollback_request{service, std::nullopt}, clk);
        INFO((p ? std::string() : p.error().message));
        REQUIRE(p);
        return *p;
    }
};

}  // namespace

TEST_CASE("api: a rotation newer than the target makes the rollback a redeploy with the current variables",
          "[commands][rollback]") {
    rollback_world w;
    const std::string action = w.rotated("BETTER_AUTH_SECRET");  // 2026-11-27, after rw-prev (2026-11-22)
    auto p = w.planned("api");
    const auto& step = p.steps.front();
    CHECK(step.kind == "railway.rollback");
    CHECK(step.params.at("mode").as_string() == "redeploy");
    CHECK(step.params.at("to").as_string() == "rw-prev");
    CHECK(step.params.at("keeps_rotated").as_array() == boost::json::array{"BETTER_AUTH_SECRET"});
    CHECK(mentions(p.impact, "BETTER_AUTH_SECRET rotated"));
    CHECK(mentions(p.impact, "(" + action + ")"));
    CHECK(mentions(p.impact, "deploymentRedeploy"));
    CHECK(mentions(p.impact, "Rule: an instant rollback only when"));
    CHECK(step.description.find("with the CURRENT variables") != std::string::npos);

    // Run: deploymentRedeploy of the target, never deploymentRollback.
    step_environment env{w.platforms(), w.clk, [](std::chrono::milliseconds) {}, 0ms};
    env.steps = &opsbot::bot::opsbot_families().steps();
    auto ran = run_step(step, env);
    REQUIRE(ran);
    CHECK(w.platforms_world.log.calls() == std::vector<std::string>{"railway.redeploy api rw-prev"});
}

TEST_CASE("api: a rotation older than the target keeps the instant rollback, and says why", "[commands][rollback]") {
    rollback_world w;
    w.clk.set(at("2026-11-21T12:00:00"));  // before rw-prev was made: rw-prev carries the rotated value
    w.rotated("BETTER_AUTH_SECRET");
    w.clk.set(at("2026-11-27T12:00:00"));
    auto p = w.planned("api");
    CHECK(p.steps.front().params.at("mode").as_string() == "rollback");
    CHECK_FALSE(p.steps.front().params.contains("keeps_rotated"));
    CHECK(mentions(p.impact, "No rotation of BETTER_AUTH_SECRET, CREDENTIAL_ENCRYPTION_KEY, OPENAI_API_KEY since "
                             "`rw-prev`"));
}

TEST_CASE("web: a rotation newer than the target makes the rollback a rebuild of its commit", "[commands][rollback]") {
    rollback_world w;
    w.rotated("SENTRY_AUTH_TOKEN");
    w.rotated("BETTER_AUTH_SECRET");  // api's: not web's business
    auto p = w.planned("web");
    const auto& step = p.steps.front();
    CHECK(step.kind == "vercel.rollback");
    CHECK(step.params.at("mode").as_string() == "rebuild");
    CHECK(step.params.at("keeps_rotated").as_array() == boost::json::array{"SENTRY_AUTH_TOKEN"});
    CHECK(step.description.find("takes a build") != std::string::npos);
    CHECK(mentions(p.impact, "SENTRY_AUTH_TOKEN rotated"));
    CHECK_FALSE(mentions(p.impact, "BETTER_AUTH_SECRET"));
    CHECK(mentions(p.impact, "instead of the instant rollback"));
}

TEST_CASE("no rotation at all: Vercel keeps its instant rollback", "[commands][rollback]") {
    rollback_world w;
    auto p = w.planned("web");
    CHECK(p.steps.front().params.at("mode").as_string() == "rollback");
    CHECK(mentions(p.impact, "No rotation of SENTRY_AUTH_TOKEN since `dpl_Prev`"));
}

TEST_CASE("no audit log reachable: the plan warns that rotations were not checked", "[commands][rollback]") {
    rollback_world w;
    w.platforms().database.reset();
    auto api = w.planned("api");
    CHECK(api.steps.front().params.at("mode").as_string() == "rollback");
    CHECK(mentions(api.impact, "WARNING: api holds BETTER_AUTH_SECRET, CREDENTIAL_ENCRYPTION_KEY, OPENAI_API_KEY, "
                               "whose rotations could not be looked up"));
    CHECK(mentions(api.impact, "Check `/audit` for rotations before approving"));
    w.config.secrets.erase("SENTRY_AUTH_TOKEN");
    auto web = w.planned("web");
    CHECK(web.steps.front().params.at("mode").as_string() == "rollback");
    CHECK(web.impact.empty());
}

TEST_CASE("a rotation between planning and running changes the digest: the approval no longer holds",
          "[commands][rollback]") {
    rollback_world w;
    const auto before = w.planned("api").digest();
    w.rotated("OPENAI_API_KEY");
    CHECK(w.planned("api").digest() != before);
}
