// A rotation resumed after a restart with an empty secret vault (commands/rotate/resume.hpp): which plans may go on
// from their stored wait or poll, and what one that may not is told (issue 13 item 3).
#include "commands/rotate/plan.hpp"
#include "commands/rotate/resume.hpp"
#include "tests/unit/commands/rotate_world.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace opsbot;
using namespace opsbot::commands;
using namespace opsbot::commands::testing;

namespace {

plan plan_for(rotate_world& w, const std::string& secret) {
    manual_clock clk;
    auto p = plan_rotate(w.config, w.platforms, rotate_request{secret, "production", ""}, clk);
    REQUIRE(p);
    return *p;
}

std::size_t index_of(const plan& p, const std::string& kind) {
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        if (p.steps[i].kind == kind) {
            return i;
        }
    }
    FAIL("no step " << kind);
    return 0;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a generated secret resumed at its redeploy needs nothing from the vault: it goes on") {
    rotate_world w;
    const auto p = plan_for(w, "BETTER_AUTH_SECRET");
    CHECK_FALSE(rotation_cannot_resume(p, index_of(p, "railway.redeploy")));
}

TEST_CASE("a manual rotation resumed at its wait goes on: the continue reads the new value back") {
    rotate_world w;
    const auto p = plan_for(w, "SENTRY_DSN");
    REQUIRE(p.steps.front().kind == "manual.wait");
    CHECK_FALSE(rotation_cannot_resume(p, 0));
}

TEST_CASE("a Resend rotation resumed at its redeploy stops: verify and revoke named, the old key still valid") {
    rotate_world w;
    const auto p = plan_for(w, "RESEND_API_KEY");
    const std::size_t at = index_of(p, "railway.redeploy");
    auto why = rotation_cannot_resume(p, at);
    REQUIRE(why);
    CHECK(contains(*why, fmt::format("step {} (`railway.redeploy`) waited", at + 1)));
    const std::size_t verify = index_of(p, "secret.verify");
    CHECK(contains(*why, fmt::format("step {}: {}", verify + 1, p.steps[verify].description)));
    CHECK(contains(*why, fmt::format("step {}: ", index_of(p, "secret.revoke") + 1)));
    CHECK(contains(*why, "*not* revoked: it is still valid"));
    CHECK(contains(*why, "run `/rotate RESEND_API_KEY` again"));
}

TEST_CASE("a PostHog rotation resumed at its redeploy stops and says the reset already ended the old key") {
    rotate_world w;
    const auto p = plan_for(w, "POSTHOG_API_KEY");
    auto why = rotation_cannot_resume(p, index_of(p, "vercel.redeploy"));
    REQUIRE(why);
    CHECK(contains(*why, "the old key no longer works"));
    CHECK_FALSE(contains(*why, "still valid"));
    CHECK(contains(*why, "run `/rotate POSTHOG_API_KEY` again"));
}
