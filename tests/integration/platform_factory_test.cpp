// The bot's registry wiring: secret providers by secret name and env_names from the platform adapters, against
// the loopback fakes; and the demo's sandbox stand-ins (docs/platforms.md §1.5, §2.2, §6).
#include "bot/platform_factory.hpp"

#include "demo/sandbox_platforms.hpp"
#include "demo/sandbox_secret_providers.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/fake_resend.hpp"
#include "tests/support/fake_vercel.hpp"

#include <catch2/catch.hpp>

using namespace opsbot;
using opsbot::testing::fake_posthog;
using opsbot::testing::fake_railway;
using opsbot::testing::fake_resend;
using opsbot::testing::fake_vercel;

namespace {

struct world {
    fake_vercel vercel;
    fake_railway railway;
    fake_resend resend;
    fake_posthog posthog;
    stack_config config;

    world() {
        service_config web;
        web.name = "web";
        web.platform = opsbot::platform_kind::vercel;
        web.api_url = vercel.base_url();
        web.token_env = "VERCEL_TOKEN";
        web.project_id = vercel.settings().project_id;
        web.team_id = vercel.settings().team_id;
        config.services["web"] = web;
        service_config api;
        api.name = "api";
        api.platform = opsbot::platform_kind::railway;
        api.api_url = railway.api_url();
        api.token_env = "RAILWAY_TOKEN";
        api.project_id = railway.settings().project_id;
        api.service_id = railway.settings().service_id;
        api.environments = railway.settings().environments;
        config.services["api"] = api;
        secret("RESEND_API_KEY", "resend", {{"api_url", resend.base_url()}, {"token_env", "RESEND_ADMIN_KEY"}});
        secret("POSTHOG_API_KEY", "posthog",
               {{"api_url", posthog.base_url()}, {"token_env", "POSTHOG_PERSONAL_KEY"}, {"project_id", "12345"}});
        secret("OPENAI_API_KEY", "openai", {{"token_env", "OPENAI_ADMIN_KEY"}, {"project_id", "proj_abc"}});
        secret("BETTER_AUTH_SECRET", "hex32", {});
    }
    void secret(std::string name, std::string generate, std::map<std::string, std::string> provider) {
        secret_config s;
        s.name = name;
        s.generate = opsbot::parse_generator(generate).value();
        s.services = {"api"};
        s.provider = std::move(provider);
        config.secrets[std::move(name)] = std::move(s);
    }
};

// OPENAI_ADMIN_KEY is deliberately unset.
std::optional<std::string> test_env(const std::string& name) {
    static const std::map<std::string, std::string> values{{"VERCEL_TOKEN", "vercel-test-token"},
                                                           {"RAILWAY_TOKEN", "railway-test-token"},
                                                           {"RESEND_ADMIN_KEY", "re_AdminTestToken_0000000000"},
                                                           {"POSTHOG_PERSONAL_KEY", "phx_PersonalTestKey0000000000"}};
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace

TEST_CASE("platform factory: secret providers by secret name, a missing admin token leaves one out", "[factory]") {
    world w;
    auto registry = bot::make_platform_registry(w.config, test_env);
    CHECK(registry.secret_providers.size() == 2);
    REQUIRE(registry.secret_providers.contains("RESEND_API_KEY"));
    REQUIRE(registry.secret_providers.contains("POSTHOG_API_KEY"));
    CHECK_FALSE(registry.secret_providers.contains("OPENAI_API_KEY"));      // token unset
    CHECK_FALSE(registry.secret_providers.contains("BETTER_AUTH_SECRET"));  // made locally
    auto& resend = *registry.secret_providers.at("RESEND_API_KEY");
    CHECK(resend.name() == "resend");
    const auto old_key = w.resend.add_key("opsbot-1");
    CHECK(*resend.existing_key_ids() == std::vector<std::string>{old_key});  // the configured token reached it
    auto key = registry.secret_providers.at("POSTHOG_API_KEY")->create_key("opsbot-2");
    REQUIRE(key);
    CHECK(key->value == w.posthog.current_token());
}

TEST_CASE("platform factory: env_names lists names from Vercel and Railway, values never", "[factory]") {
    world w;
    w.vercel.set_env("SENTRY_DSN", "https://dsn-secret@sentry.example/1", "production");
    w.vercel.set_env("PREVIEW_ONLY", "preview-value-1234", "preview");
    w.railway.set_variable("RESEND_API_KEY", "re_live_value_123456");
    w.railway.set_variable("STAGING_KEY", "staging-value-1234", "env-stg-4444");
    auto registry = bot::make_platform_registry(w.config, test_env);
    REQUIRE(registry.env_names);
    CHECK(*registry.env_names("web", "production") == std::set<std::string>{"SENTRY_DSN"});
    CHECK(*registry.env_names("web", "staging") == std::set<std::string>{"PREVIEW_ONLY"});  // staging -> preview
    CHECK(*registry.env_names("api", "production") == std::set<std::string>{"RESEND_API_KEY"});
    CHECK(*registry.env_names("api", "staging") == std::set<std::string>{"STAGING_KEY"});
    CHECK(registry.env_names("nope", "production").error().kind == error_kind::unavailable);
    w.vercel.knobs().fail_next(403, R"({"error":{"code":"forbidden","message":"Not authorized"}})");
    CHECK(registry.env_names("web", "production").error().kind == error_kind::auth);

    // The registry is moved around by the bot: env_names keeps working.
    auto moved = std::move(registry);
    CHECK(moved.env_names("api", "production")->contains("RESEND_API_KEY"));
}

TEST_CASE("sandbox (demo): env names, variables and upserts on the sandbox platforms", "[factory][sandbox]") {
    manual_clock clock;
    auto sandboxes = demo::make_sandbox_platforms(clock);
    REQUIRE(sandboxes.vercel->upsert_env("RESEND_API_KEY", "re_sandbox_value_1", "encrypted", {"production"}));
    auto prod = sandboxes.vercel->list_env("production");
    REQUIRE(prod);
    CHECK(std::any_of(prod->begin(), prod->end(), [](const auto& v) { return v.key == "RESEND_API_KEY"; }));
    const auto preview = sandboxes.vercel->list_env("preview");
    REQUIRE(preview);
    CHECK(std::none_of(preview->begin(), preview->end(), [](const auto& v) { return v.key == "RESEND_API_KEY"; }));
    REQUIRE(sandboxes.railway->upsert_variables("staging", {{"OPENAI_API_KEY", "sk-sandbox-1"}}, true));
    CHECK(sandboxes.railway->variables("staging")->at("OPENAI_API_KEY") == "sk-sandbox-1");
    CHECK(sandboxes.railway->variables("qa").error().kind == error_kind::invalid_input);

    commands::platform_registry registry;
    registry.deploy["web"] = std::move(sandboxes.vercel);
    registry.deploy["api"] = std::move(sandboxes.railway);
    bot::set_env_names(registry);
    // Every secret the demo config wants on a service is there, so the demo's /deploy check is green.
    for (const auto& [name, secret] : demo::sandbox_secret_configs()) {
        for (const auto& service : secret.services) {
            INFO(name << " on " << service);
            CHECK(registry.env_names(service, "production")->contains(name));
        }
    }
}

TEST_CASE("sandbox (demo): secret providers keep the real providers' rules", "[factory][sandbox]") {
    auto providers = demo::make_sandbox_secret_providers(demo::sandbox_secret_configs());
    REQUIRE(providers.size() == 3);
    auto& resend = *providers.at("RESEND_API_KEY");
    const auto old_ids = *resend.existing_key_ids();
    REQUIRE(old_ids.size() == 1);
    auto key = resend.create_key("opsbot-20261127-101500");
    REQUIRE(key);
    CHECK(key->id != key->value);
    CHECK(key->value.starts_with("re_"));
    REQUIRE(resend.verify_key(key->value));
    CHECK(resend.verify_key("re_wrong").error().kind == error_kind::auth);
    REQUIRE(resend.revoke_key(old_ids.front()));
    REQUIRE(resend.revoke_key(old_ids.front()));
    CHECK(*resend.existing_key_ids() == std::vector<std::string>{key->id});

    auto& posthog = *providers.at("POSTHOG_API_KEY");
    CHECK(posthog.create_revokes_old());
    CHECK(posthog.existing_key_ids()->empty());
    auto reset = posthog.create_key("opsbot-x");
    REQUIRE(reset);
    CHECK(posthog.verify_key(reset->value).error().kind == error_kind::unavailable);
}
