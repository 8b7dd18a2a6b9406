#pragma once
// Shared by the /deploy integration tests: REAL adapters pointed at the protocol fakes on loopback, an in-memory
// bot database and a manual clock. Every platform is green until a test turns a knob.

#include "adapters/sentry.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/deploy/status.hpp"
#include "commands/grammar/parser.hpp"
#include "core/clock.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/fake_github.hpp"
#include "tests/support/fake_health.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/fake_sentry.hpp"
#include "tests/support/fake_vercel.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace opsbot::testing {

inline constexpr const char* head_sha = "de8b89f13b2bc164cf07e735921bf5513e17951d";
inline constexpr const char* old_sha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

inline clock::time_point at(const std::string& iso) {
    auto t = adapters::parse_utc_iso8601(iso);
    REQUIRE(t);
    return *t;
}

inline std::int64_t ms_at(const std::string& iso) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at(iso).time_since_epoch()).count();
}

inline fake_check_run check_run(std::string name, std::string status = "completed",
                                std::optional<std::string> conclusion = "success") {
    fake_check_run r;
    r.name = std::move(name);
    r.status = std::move(status);
    r.conclusion = std::move(conclusion);
    return r;
}

inline fake_monitor monitor(std::string id, std::string name, std::string url, std::string status = "up") {
    fake_monitor m;
    m.id = std::move(id);
    m.name = std::move(name);
    m.url = std::move(url);
    m.status = std::move(status);
    return m;
}

inline fake_vercel::options vercel_options() {
    fake_vercel::options o;
    o.token = "test-token";
    o.build_polls = 2;
    return o;
}

inline fake_railway::options railway_options() {
    fake_railway::options o;
    o.token = "test-token";
    o.deploy_polls = 2;
    return o;
}

/// Web on Vercel (live dpl_Live, head commit, 2 h old), api on Railway (live dep-live, head commit, 1 h old;
/// staging dep-stg 3 h old), both healthy, CI green, no Sentry issues, two monitors up.
struct deploy_world {
    manual_clock clk{at("2026-11-26T12:00:00Z")};
    fake_vercel vercel{vercel_options()};
    fake_railway railway{railway_options()};
    fake_health api_health;
    fake_health web_page;
    fake_github github{"acme/app", "test-token"};
    fake_sentry sentry{"acme", "2", "test-token"};
    fake_betterstack betterstack{"test-token"};
    storage::database db{":memory:"};
    stack_config config;
    commands::platform_registry platforms;

    deploy_world() {
        fake_vercel_deployment live;
        live.uid = "dpl_Live";
        live.created = ms_at("2026-11-26T10:00:00Z");
        live.ready_substate = "PROMOTED";
        live.sha = head_sha;
        vercel.add_deployment(live);
        fake_vercel_deployment older;
        older.uid = "dpl_Old";
        older.created = ms_at("2026-11-25T10:00:00Z");
        older.sha = old_sha;
        vercel.add_deployment(older);

        fake_railway_deployment api_live;
        api_live.id = "dep-live";
        api_live.created_at = "2026-11-26T11:00:00.000Z";
        api_live.commit_hash = head_sha;
        railway.add_deployment(api_live);
        fake_railway_deployment api_staging;
        api_staging.id = "dep-stg";
        api_staging.environment_id = railway.settings().environments.at("staging");
        api_staging.created_at = "2026-11-26T09:00:00.000Z";
        api_staging.commit_hash = head_sha;
        railway.add_deployment(api_staging);

        github.set_head("main", head_sha);
        github.set_check_runs({check_run("lint"), check_run("test"), check_run("build")});
        betterstack.set_monitors({monitor("1", "API health", api_health.url()), monitor("2", "Web", web_page.url())});

        service_config web;
        web.name = "web";
        web.platform = opsbot::platform_kind::vercel;
        web.api_url = vercel.base_url();
        web.token_env = "VERCEL_TOKEN";
        web.project_id = vercel.settings().project_id;
        web.team_id = vercel.settings().team_id;
        web.url = web_page.url();
        service_config api;
        api.name = "api";
        api.platform = opsbot::platform_kind::railway;
        api.api_url = railway.api_url();
        api.token_env = "RAILWAY_TOKEN";
        api.project_id = railway.settings().project_id;
        api.service_id = railway.settings().service_id;
        api.environments = railway.settings().environments;
        api.health_url = {{"production", api_health.url()}, {"staging", api_health.url()}};
        config.services = {{"web", web}, {"api", api}};
        config.monitoring.github = github_config{github.api_url(), "GITHUB_TOKEN", "acme/app", "main"};
        config.monitoring.sentry = sentry_config{sentry.api_url(), "SENTRY_API_TOKEN", "acme", "2"};
        config.monitoring.betterstack = betterstack_config{betterstack.api_url(), "BETTERSTACK_TOKEN"};

        adapters::http_options o;
        o.request_timeout = std::chrono::seconds(5);
        o.max_attempts = 1;
        o.sleep = [](std::chrono::milliseconds) {};
        platforms.http = adapters::make_http_client(o);
        platforms.health = adapters::make_health_checker(*platforms.http);
        platforms.deploy["web"] = adapters::make_vercel_platform(web, "test-token", *platforms.http);
        platforms.deploy["api"] = adapters::make_railway_platform(api, "test-token", *platforms.http);
        platforms.github_ci = adapters::make_github_ci(*config.monitoring.github, "test-token", *platforms.http, &clk);
        platforms.sentry_issues =
            adapters::make_sentry_issues(*config.monitoring.sentry, "test-token", *platforms.http, &clk);
        platforms.betterstack_monitors =
            adapters::make_betterstack_monitors(*config.monitoring.betterstack, "test-token", *platforms.http);
        platforms.config = &config;
    }

    ~deploy_world() {
        // Calls left behind by a deadline must end before the adapters and fakes go away.
        for (fake_knobs* k : {&vercel.knobs(), &railway.knobs(), &api_health.knobs(), &web_page.knobs(),
                              &github.knobs(), &sentry.knobs(), &betterstack.knobs()}) {
            k->release();
        }
        commands::drain_background_calls(std::chrono::seconds(30));
    }

    commands::command_context context() { return {config, platforms, &db, clk}; }

    void audit(const std::string& event, const std::string& environment) {
        storage::audit_log log(db, clk);
        REQUIRE(log.append({"U01", std::nullopt, event, {{"environment", environment}}}));
    }
};

inline commands::parsed_command deploy_command(std::string subcommand, std::map<std::string, std::string> args = {}) {
    commands::parsed_command c;
    c.family = "deploy";
    c.subcommand = std::move(subcommand);
    c.args = std::move(args);
    c.implemented = true;
    c.user = user_id{"U01"};
    c.channel = channel_id{"C0123OPS"};
    return c;
}

}  // namespace opsbot::testing
