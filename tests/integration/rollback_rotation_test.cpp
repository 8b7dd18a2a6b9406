// A rollback must not bring back a rotated secret (issue 12 item 10), end to end: the real runtime, the fake Slack,
// and fake Railway / Vercel APIs that roll back WITH the target's variables as the real platforms do. POSTHOG_API_KEY
// (api on Railway, web on Vercel) is rotated, then /rollback and /incident site-down run: the plan names the
// rotation, and the platforms still serve the rotated value afterwards.
#include "adapters/secret_provider.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

using namespace opsbot;
using namespace opsbot::testing;

namespace {

constexpr const char* old_token = "phc_OldProjectToken00000000000000";

struct rotated_world {
    fake_posthog posthog;
    temp_dir migrations_dir;
    std::unique_ptr<bot_harness> h;

    rotated_world() {
        harness_options o;
        o.configure = [this](stack_config& c) {
            c.policies["rotate"] = c.policies.at("rollback");
            c.policies["incident"].run = "deployers";
            secret_config s;
            s.name = "POSTHOG_API_KEY";
            s.generate = opsbot::secret_generator::posthog;
            s.services = {"api", "web"};
            s.provider = {{"api_url", posthog.base_url()}, {"token_env", "POSTHOG_PERSONAL_KEY"},
                          {"project_id", "12345"}};
            c.secrets[s.name] = s;
            // With `migrations` configured the bot hands its audit log to the planner (bot/runtime.cpp).
            migrations_config m;
            m.workdir = migrations_dir.path().string();
            c.migrations = m;
        };
        o.platforms = [this](commands::platform_registry& r) {
            secret_config s;
            s.name = "POSTHOG_API_KEY";
            s.generate = opsbot::secret_generator::posthog;
            s.provider = {{"api_url", posthog.base_url()}, {"project_id", "12345"}};
            r.secret_providers["POSTHOG_API_KEY"] =
                adapters::make_posthog_provider(s, posthog.settings().personal_key, *r.http);
        };
        h = std::make_unique<bot_harness>(o);
        // Every deployment so far was made with the old token.
        h->railway().set_variable("POSTHOG_API_KEY", old_token);
        h->vercel().set_env("POSTHOG_API_KEY", old_token, "production");
    }

    /// /rotate POSTHOG_API_KEY as A-1, approved; returns the new token.
    std::string rotate() {
        h->command(requester, "/rotate", "POSTHOG_API_KEY");
        h->click(approver_a, "A-1", "approve");
        REQUIRE(h->state_of("A-1") == "succeeded");
        const std::string token = posthog.current_token();
        REQUIRE(token != old_token);
        REQUIRE(h->railway().served_variables().at("POSTHOG_API_KEY") == token);
        REQUIRE(h->vercel().served_env("POSTHOG_API_KEY") == token);
        return token;
    }

    std::string plan_text(const std::string& action) {
        auto posted = h->message_of(action);
        REQUIRE(posted);
        return text_of(*posted);
    }
};

}  // namespace

TEST_CASE("/rollback api after a rotation: named in the plan, redeployed with the current variables, value kept") {
    rotated_world w;
    const std::string token = w.rotate();
    w.h->command(requester, "/rollback", "api");
    const std::string plan = w.plan_text("A-2");
    CHECK(contains(plan, "POSTHOG_API_KEY rotated"));
    CHECK(contains(plan, "(A-1)"));
    CHECK(contains(plan, "deploymentRedeploy"));
    w.h->click(approver_a, "A-2", "approve");
    CHECK(w.h->state_of("A-2") == "succeeded");
    CHECK(w.h->railway().count_operation("deploymentRedeploy") == 1);
    CHECK(w.h->railway().count_operation("deploymentRollback") == 0);
    CHECK(w.h->railway().served_variables().at("POSTHOG_API_KEY") == token);
}

TEST_CASE("/rollback web after a rotation: a rebuild of the target's commit with the current environment") {
    rotated_world w;
    const std::string token = w.rotate();
    w.h->command(requester, "/rollback", "web");
    const std::string plan = w.plan_text("A-2");
    CHECK(contains(plan, "POSTHOG_API_KEY rotated"));
    CHECK(contains(plan, "takes a build"));
    const size_t builds = w.h->vercel().count("POST", "/v13/deployments");
    w.h->click(approver_a, "A-2", "approve");
    CHECK(w.h->state_of("A-2") == "succeeded");
    CHECK(w.h->vercel_mutations() == 0);  // no instant rollback
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == builds + 1);
    CHECK(w.h->vercel().served_env("POSTHOG_API_KEY") == token);
    std::string served_sha;
    for (const auto& d : w.h->vercel().deployments()) {
        served_sha = d.ready_substate == "PROMOTED" ? d.sha : served_sha;
    }
    CHECK(served_sha == "3333333cccc");  // dpl_Live3's commit, rebuilt
}

TEST_CASE("/incident site-down after a rotation keeps the rotated value on both platforms") {
    rotated_world w;
    const std::string token = w.rotate();
    w.h->command(requester, "/incident", "site-down");
    const std::string plan = w.plan_text("A-2");
    CHECK(contains(plan, "api: Rotated since"));
    CHECK(contains(plan, "web: Rotated since"));
    w.h->click(approver_a, "A-2", "approve");
    CHECK(w.h->state_of("A-2") == "succeeded");
    CHECK(w.h->railway().count_operation("deploymentRollback") == 0);
    CHECK(w.h->vercel_mutations() == 0);
    CHECK(w.h->railway().served_variables().at("POSTHOG_API_KEY") == token);
    CHECK(w.h->vercel().served_env("POSTHOG_API_KEY") == token);
}

TEST_CASE("/rollback with no rotation since the target: the instant rollback stays, and the plan says why") {
    rotated_world w;
    w.h->command(requester, "/rollback", "api");
    const std::string plan = w.plan_text("A-1");
    CHECK(contains(plan, "No rotation of POSTHOG_API_KEY since"));
    w.h->click(approver_a, "A-1", "approve");
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.h->railway_rollbacks() == 1);
    CHECK(w.h->railway().served_variables().at("POSTHOG_API_KEY") == old_token);
}
