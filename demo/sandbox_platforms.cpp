// SANDBOX ONLY (`opsbot demo`): the sandboxes' seeded history. See sandbox_platforms.hpp.
#include "demo/sandbox_platforms.hpp"

#include "adapters/secret_provider.hpp"

#include <fmt/format.h>

#include <random>

namespace opsbot::demo {

std::unique_ptr<fakes::memory_vercel> make_sandbox_vercel(const opsbot::clock& clock, int polls_to_finish) {
    auto vercel = std::make_unique<fakes::memory_vercel>(clock, fakes::memory_vercel::options{polls_to_finish, ""});
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
    for (int i = 0; i < 6; ++i) {
        adapters::vercel_deployment d;  // the id is made by the fake, Vercel-shaped
        d.name = "web";
        d.url = "web-" + adapters::random_hex(5).substr(0, 9) + "-sandbox.vercel.app";
        d.created_ms = now - (i + 1) * 26 * 3600 * 1000LL;  // roughly one a day
        d.state = i == 1 ? "ERROR" : "READY";                // the second newest failed to build
        d.ready_substate = i == 0 ? "PROMOTED" : "";
        d.target = "production";
        d.commit_sha = adapters::random_hex(20);
        d.commit_ref = "main";
        d.is_rollback_candidate = d.state == "READY";
        vercel->add(d);
    }
    // The web app's variables on both targets (values are made up here and never shown).
    for (const char* key : {"NEXT_PUBLIC_API_URL", "POSTHOG_API_KEY", "SENTRY_DSN", "SENTRY_AUTH_TOKEN"}) {
        vercel->set_env(key, "sandbox-" + adapters::random_hex(12), "encrypted", {"production", "preview"});
    }
    return vercel;
}

std::unique_ptr<fakes::memory_railway> make_sandbox_railway(const opsbot::clock& clock, int polls_to_finish) {
    auto railway = std::make_unique<fakes::memory_railway>(
        clock, fakes::memory_railway::options{"api", {"production", "staging"}, polls_to_finish, ""});
    // The runbook's three BullMQ workers (§7) announce themselves in every deployment's logs: /deploy verify finds
    // them (demo/config.cpp lists them in verify.log_lines), and /deploy logs shows them.
    railway->log_at_startup({"Server listening on port 3001", "Worker message-processing started",
                             "Worker broadcast-sending started", "Worker audit-processing started"});
    std::mt19937_64 random{20261128};
    const char* messages[] = {"fix: retry webhook delivery", "feat: broadcast scheduling", "chore: bump prisma",
                              "fix: session refresh race"};
    for (const std::string env : {"production", "staging"}) {
        // Newest first: the live one, then three replaced (REMOVED, still rollbackable) ones.
        for (int i = 0; i < 4; ++i) {
            adapters::railway_deployment d;  // the id is made by the fake, a UUID like Railway's
            d.created_at = fakes::railway_timestamp(
                clock.now() - std::chrono::minutes((i + 1) * 24 * 60 + (env == "staging" ? 90 : 0)));
            d.status = i == 0 ? "SUCCESS" : "REMOVED";
            d.can_rollback = i != 0;
            d.can_redeploy = true;
            d.commit_hash = fmt::format("{:07x}", random() & 0xFFFFFFF);
            d.commit_message = messages[i];
            d.branch = "main";
            const std::string id = railway->add(env, d);
            if (i == 0 && env == std::string("production")) {
                // What `/deploy logs api` shows after the start-up lines; the token is redacted on the way out.
                const auto at = [&](int minutes) {
                    return fakes::railway_timestamp(clock.now() - std::chrono::minutes(minutes));
                };
                railway->add_log(id, {at(30), "info", "POST /webhooks/whatsapp 200 41ms"});
                railway->add_log(id, {at(20), "error", "broadcast 812 failed: Resend answered 429 (rate limited)"});
                railway->add_log(id, {at(10), "info", "calling OpenAI, Authorization: Bearer sk-sandboxDoNotShow1234"});
                railway->add_log(id, {at(5), "info", "GET /health 200 3ms"});
            }
        }
        // The API's variables (values are made up here and never shown).
        for (const char* name : {"DATABASE_URL", "BETTER_AUTH_SECRET", "CREDENTIAL_ENCRYPTION_KEY", "RESEND_API_KEY",
                                 "OPENAI_API_KEY", "POSTHOG_API_KEY", "SENTRY_DSN"}) {
            railway->set_variable(env, name, fmt::format("sandbox-{:016x}", random()));
        }
    }
    return railway;
}

sandbox_platforms make_sandbox_platforms(const opsbot::clock& clock) {
    return {make_sandbox_vercel(clock), make_sandbox_railway(clock), std::make_unique<fakes::memory_health>()};
}

std::map<std::string, service_config> sandbox_service_configs() {
    service_config web;
    web.name = "web";
    web.platform = opsbot::platform_kind::vercel;
    web.api_url = "sandbox://vercel";
    web.project_id = "prj_sandboxWeb";
    web.team_id = "team_sandbox";
    web.url = "https://app.sandbox.invalid";
    service_config api;
    api.name = "api";
    api.platform = opsbot::platform_kind::railway;
    api.api_url = "sandbox://railway";
    api.project_id = "5c0c6b1e-0000-4000-8000-5a4db0c0ffee";
    api.service_id = "a91e2f3d-0000-4000-8000-5a4db0c0ffee";
    api.environments = {{"production", "env-production-sandbox"}, {"staging", "env-staging-sandbox"}};
    api.health_url = {{"production", "https://api.sandbox.invalid/health"},
                      {"staging", "https://api-staging.sandbox.invalid/health"}};
    api.verify_log_lines = {"message-processing", "broadcast-sending", "audit-processing"};
    return {{"web", web}, {"api", api}};
}

}  // namespace opsbot::demo
