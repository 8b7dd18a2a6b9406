// `/rotate SECRET` plans (issue #6, runbook §6): one plan per secret of the runbook's table, in the general
// procedure's order, never carrying a value; refusals for CREDENTIAL_ENCRYPTION_KEY and unknown secrets.
#include "commands/planner.hpp"
#include "commands/rotate_plan.hpp"
#include "tests/unit/commands/rotate_world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace opsbot;
using namespace opsbot::commands;
using namespace opsbot::commands::testing;

namespace {

std::vector<std::string> kinds(const plan& p) {
    std::vector<std::string> out;
    for (const auto& s : p.steps) {
        out.push_back(s.kind);
    }
    return out;
}

int position(const plan& p, const std::string& kind) {
    auto k = kinds(p);
    auto it = std::find(k.begin(), k.end(), kind);
    return it == k.end() ? -1 : static_cast<int>(it - k.begin());
}

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
    return std::ranges::any_of(lines, [&](const auto& l) { return l.find(needle) != std::string::npos; });
}

result<plan> plan_for(rotate_world& w, const std::string& secret, const std::string& reason = "") {
    manual_clock clk;
    return plan_rotate(w.config, w.platforms, rotate_request{secret, "production", reason}, clk);
}

}  // namespace

TEST_CASE("BETTER_AUTH_SECRET: generate, write to Railway, redeploy api, health, impact names the logout") {
    rotate_world w;
    auto p = plan_for(w, "BETTER_AUTH_SECRET");
    REQUIRE(p);
    CHECK(p->family == "rotate");
    CHECK(p->title == "Rotate BETTER_AUTH_SECRET (production)");
    CHECK(kinds(*p) == std::vector<std::string>{"secret.generate", "secret.write_railway", "railway.redeploy",
                                                "health.check"});
    CHECK(mentions(p->impact, "users must log in again"));
    CHECK(mentions(p->impact, "All sessions are invalidated"));
    CHECK(p->steps[0].params.at("generate").as_string() == "hex32");
    CHECK(p->steps[1].params.at("service").as_string() == "api");
    CHECK_FALSE(p->next_step_on_failure.empty());
    // Nothing was called that changes anything: planning only reads.
    CHECK(w.log.count("railway.upsert") == 0);
    CHECK(w.log.count("railway.redeploy") == 0);
}

TEST_CASE("OPENAI_API_KEY and RESEND_API_KEY: the old key is revoked last, only after verification") {
    rotate_world w;
    for (const char* secret : {"OPENAI_API_KEY", "RESEND_API_KEY"}) {
        INFO(secret);
        auto p = plan_for(w, secret);
        REQUIRE(p);
        CHECK(kinds(*p) == std::vector<std::string>{"secret.generate", "secret.write_railway", "railway.redeploy",
                                                    "health.check", "secret.verify", "secret.revoke"});
        CHECK(position(*p, "secret.verify") < position(*p, "secret.revoke"));
        CHECK(position(*p, "health.check") < position(*p, "secret.verify"));
        CHECK(p->steps.back().kind == "secret.revoke");
        CHECK(mentions(p->impact, "only then is it revoked"));
    }
}

TEST_CASE("POSTHOG_API_KEY: reset, write to Railway and Vercel, redeploy both, verify, nothing to revoke") {
    rotate_world w;
    auto p = plan_for(w, "POSTHOG_API_KEY");
    REQUIRE(p);
    CHECK(kinds(*p) == std::vector<std::string>{"secret.generate", "secret.write_railway", "secret.write_vercel",
                                                "railway.redeploy", "health.check", "vercel.redeploy",
                                                "secret.verify"});
    const auto& vercel_write = p->steps[2];
    CHECK(vercel_write.params.at("type").as_string() == "encrypted");
    CHECK(vercel_write.params.at("targets").as_array() == boost::json::array{"production"});
    // The redeploy follows what is live when it acts (issue 12 item 2): no deployment id in its params.
    CHECK_FALSE(p->steps[5].params.contains("from"));
    CHECK(p->steps[5].params.at("follow_live").as_bool());
    CHECK(p->steps[5].description.find("live when this step runs (now `dpl_Live`") != std::string::npos);
    CHECK(p->service.empty());  // spans api and web
    CHECK(mentions(p->impact, "invalidates the old project key at once"));
}

TEST_CASE("manual secrets wait for --continue, redeploy, and leave revocation as a human checklist line") {
    rotate_world w;
    auto dsn = plan_for(w, "SENTRY_DSN");
    REQUIRE(dsn);
    CHECK(kinds(*dsn) == std::vector<std::string>{"manual.wait", "railway.redeploy", "health.check",
                                                  "vercel.redeploy", "manual.checklist"});
    CHECK(dsn->steps[0].timeout == std::chrono::hours{4});
    CHECK(dsn->steps[0].description.find("/rotate SENTRY_DSN --continue") != std::string::npos);
    CHECK(dsn->steps[0].description.find("never paste the value in Slack") != std::string::npos);

    auto token = plan_for(w, "SENTRY_AUTH_TOKEN");
    REQUIRE(token);
    CHECK(kinds(*token) == std::vector<std::string>{"manual.wait", "vercel.redeploy", "manual.checklist"});
    CHECK(token->service == "web");
    CHECK(position(*token, "secret.revoke") == -1);
}

TEST_CASE("CREDENTIAL_ENCRYPTION_KEY is refused with the runbook's warning without a reencrypt_command") {
    rotate_world w;
    auto p = plan_for(w, "CREDENTIAL_ENCRYPTION_KEY");
    REQUIRE_FALSE(p);
    CHECK(p.error().kind == error_kind::forbidden);
    CHECK(p.error().message.find("unreadable") != std::string::npos);
    CHECK(p.error().message.find("reencrypt_command") != std::string::npos);
}

TEST_CASE("CREDENTIAL_ENCRYPTION_KEY: stage the new key on the platform, re-encrypt, write, redeploy, unstage") {
    rotate_world w;
    w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", "reencrypt.sh"};
    auto p = plan_for(w, "CREDENTIAL_ENCRYPTION_KEY");
    REQUIRE(p);
    CHECK(kinds(*p) == std::vector<std::string>{"secret.generate", "secret.stage", "secret.reencrypt",
                                                "secret.write_railway", "railway.redeploy", "health.check",
                                                "secret.unstage"});
    CHECK(p->steps[1].params.at("variable").as_string() == "CREDENTIAL_ENCRYPTION_KEY_NEXT");
    CHECK(p->steps[2].params.at("service").as_string() == "api");
    CHECK(p->steps[2].params.at("staged").as_string() == "CREDENTIAL_ENCRYPTION_KEY_NEXT");
    // The plan text gives the way back at each point.
    CHECK(p->steps[1].description.find("Way back if the run stops here: nothing changed for the app") !=
          std::string::npos);
    CHECK(p->steps[2].description.find("the credentials are under the key in `CREDENTIAL_ENCRYPTION_KEY_NEXT`: set "
                                       "CREDENTIAL_ENCRYPTION_KEY to that value") != std::string::npos);
    CHECK(p->next_step_on_failure.find("set CREDENTIAL_ENCRYPTION_KEY to that value") != std::string::npos);
    CHECK(mentions(p->impact, "staged on the platform as CREDENTIAL_ENCRYPTION_KEY_NEXT"));
}

TEST_CASE("unknown secret: a clear message listing the configured secrets") {
    rotate_world w;
    auto p = plan_for(w, "GITHUB_TOKEN");
    REQUIRE_FALSE(p);
    CHECK(p.error().kind == error_kind::invalid_input);
    CHECK(p.error().message.find("Unknown secret `GITHUB_TOKEN`") != std::string::npos);
    for (const char* name : {"BETTER_AUTH_SECRET", "OPENAI_API_KEY", "POSTHOG_API_KEY", "SENTRY_AUTH_TOKEN"}) {
        CHECK(p.error().message.find(name) != std::string::npos);
    }
}

TEST_CASE("a provider secret without its admin token is refused, naming the variable") {
    rotate_world w;
    w.config.secrets["RESEND_API_KEY"].provider["token_env"] = "RESEND_ADMIN_KEY";
    w.platforms.secret_providers.erase("RESEND_API_KEY");
    auto p = plan_for(w, "RESEND_API_KEY");
    REQUIRE_FALSE(p);
    CHECK(p.error().kind == error_kind::unavailable);
    CHECK(p.error().message.find("RESEND_ADMIN_KEY") != std::string::npos);
}

TEST_CASE("a leak adds the runbook §8 follow-ups, re-planning gives the same digest") {
    rotate_world w;
    auto leaked = plan_for(w, "OPENAI_API_KEY", "leaked");
    REQUIRE(leaked);
    CHECK(leaked->title == "Rotate OPENAI_API_KEY (production, leaked)");
    CHECK(mentions(leaked->impact, "OpenAI usage dashboard"));
    CHECK(mentions(leaked->impact, "exposure window"));
    auto again = plan_for(w, "OPENAI_API_KEY", "leaked");
    REQUIRE(again);
    CHECK(again->digest() == leaked->digest());
}

TEST_CASE("make_plan plans /rotate, only --continue is answered instead") {
    rotate_world w;
    manual_clock clk;
    boost::json::object request{{"family", "rotate"}, {"subcommand", ""},
                                {"args", boost::json::object{{"secret", "BETTER_AUTH_SECRET"}}}};
    auto p = make_plan(w.config, w.platforms, request, clk);
    REQUIRE(p);
    CHECK(p->request == request);
    parsed_command rotate;
    rotate.family = "rotate";
    CHECK(is_planned(rotate));
    rotate.flags["continue"] = "";
    CHECK_FALSE(is_planned(rotate));
}
