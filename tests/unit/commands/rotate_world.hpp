#pragma once
// The /rotate world: the example config with the seven secrets of runbook §6, and the in-memory platforms and
// providers of fakes/ (the same ones `opsbot demo` runs on), settling at their first poll. Every call worth ordering
// goes to one shared log, so tests can check the order of writes, redeploys, verification and revocation.

#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "fakes/memory_health.hpp"
#include "fakes/memory_railway.hpp"
#include "fakes/memory_secret_provider.hpp"
#include "fakes/memory_vercel.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace opsbot::commands::testing {

/// `api` on Railway (rw-live live in production and staging, no variables), `web` on Vercel (dpl_Live serving
/// production, no variables), a healthy /health, and a provider for OPENAI_API_KEY, RESEND_API_KEY and
/// POSTHOG_API_KEY whose existing keys are key_old1 and key_old2 (PostHog's reset lists none).
struct rotate_world {
    stack_config config = example_config();
    manual_clock clk{opsbot::clock::time_point{std::chrono::seconds{1'795'824'000}}};  // 2026-11-28T00:00:00Z
    fakes::call_log log;
    platform_registry platforms;
    fakes::memory_railway* api = nullptr;
    fakes::memory_vercel* web = nullptr;
    std::map<std::string, fakes::memory_secret_provider*> providers;

    rotate_world() {
        config.services["api"].environments = {{"production", "env-prod"}, {"staging", "env-stg"}};
        config.services["api"].health_url = {{"production", "http://127.0.0.1:1/health"}};
        auto add = [&](const char* name, const char* generate, std::vector<std::string> services) {
            secret_config s;
            s.name = name;
            s.generate = opsbot::parse_generator(generate).value();
            s.services = std::move(services);
            config.secrets[name] = s;
        };
        add("BETTER_AUTH_SECRET", "hex32", {"api"});
        config.secrets["BETTER_AUTH_SECRET"].impact = "All existing sessions are invalidated; users must log in again.";
        add("OPENAI_API_KEY", "openai", {"api"});
        add("CREDENTIAL_ENCRYPTION_KEY", "hex32", {"api"});
        add("RESEND_API_KEY", "resend", {"api"});
        add("SENTRY_DSN", "manual", {"api", "web"});
        add("SENTRY_AUTH_TOKEN", "manual", {"web"});
        add("POSTHOG_API_KEY", "posthog", {"api", "web"});

        auto railway = std::make_unique<fakes::memory_railway>(
            clk, fakes::memory_railway::options{"api", {"production", "staging"}, 1, "rw-new"}, &log);
        api = railway.get();
        for (const char* environment : {"production", "staging"}) {
            adapters::railway_deployment live;
            live.id = std::string("rw-live") + (environment == std::string("staging") ? "-staging" : "");
            live.status = "SUCCESS";
            live.created_at = "2026-11-26T10:00:00.000Z";
            live.can_redeploy = true;
            api->add(environment, live);
        }
        platforms.deploy["api"] = std::move(railway);

        auto vercel = std::make_unique<fakes::memory_vercel>(clk, fakes::memory_vercel::options{1, "dpl_New"}, &log);
        web = vercel.get();
        adapters::vercel_deployment live;
        live.id = "dpl_Live";
        live.name = "web";
        live.state = "READY";
        live.target = "production";
        live.created_ms = 1'764'000'000'000;
        live.commit_sha = "3333333cccc";
        web->add(live);
        platforms.deploy["web"] = std::move(vercel);

        platforms.health = std::make_unique<fakes::memory_health>(&log);
        for (auto [name, kind] : {std::tuple{"OPENAI_API_KEY", "openai"}, std::tuple{"RESEND_API_KEY", "resend"},
                                  std::tuple{"POSTHOG_API_KEY", "posthog"}}) {
            auto p = std::make_unique<fakes::memory_secret_provider>(kind, &log);
            p->set_existing_keys({"key_old1", "key_old2"});
            p->set_test_call(true);  // PostHog too, unless a test says otherwise (the real one has none)
            providers[name] = p.get();
            platforms.secret_providers[name] = std::move(p);
        }
        platforms.config = &config;
    }
};

}  // namespace opsbot::commands::testing
