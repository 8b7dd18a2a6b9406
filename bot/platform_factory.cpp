#include "bot/platform_factory.hpp"

#include "bot/platform_labels.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::bot {

commands::platform_registry make_platform_registry(const stack_config& config, env_lookup env) {
    commands::platform_registry registry;
    adapters::http_options http;
    http.platform_by_authority = platform_labels(config);  // opsbot_platform_calls_total{platform}
    registry.http = adapters::make_http_client(std::move(http));
    registry.health = adapters::make_health_checker(*registry.http);
    for (const auto& [name, service] : config.services) {
        auto token = env(service.token_env);
        if (!token || token->empty()) {
            spdlog::warn("services.{}.token_env: {} is not set; commands for `{}` will say so", name,
                         service.token_env, name);
            continue;
        }
        // The one place a platform's real adapter is chosen; everything after holds a deploy_platform.
        switch (service.platform) {
        case platform_kind::vercel:
            registry.deploy[name] = adapters::make_vercel_platform(service, *token, *registry.http);
            break;
        case platform_kind::railway:
            registry.deploy[name] = adapters::make_railway_platform(service, *token, *registry.http);
            break;
        }
    }
    // Monitoring adapters for /deploy check and /deploy verify (config.monitoring); a missing token leaves one out.
    const auto token_of = [&](const std::string& section, const std::string& token_env) -> std::optional<std::string> {
        auto token = env(token_env);
        if (!token || token->empty()) {
            spdlog::warn("monitoring.{}.token_env: {} is not set; the deploy checklists will say so", section,
                         token_env);
            return std::nullopt;
        }
        return token;
    };
    const auto& monitoring = config.monitoring;
    if (monitoring.github) {
        if (auto token = token_of("github", monitoring.github->token_env)) {
            registry.github_ci = adapters::make_github_ci(*monitoring.github, *token, *registry.http);
        }
    }
    if (monitoring.sentry) {
        if (auto token = token_of("sentry", monitoring.sentry->token_env)) {
            registry.sentry_issues = adapters::make_sentry_issues(*monitoring.sentry, *token, *registry.http);
        }
    }
    if (monitoring.betterstack) {
        if (auto token = token_of("betterstack", monitoring.betterstack->token_env)) {
            registry.betterstack_monitors =
                adapters::make_betterstack_monitors(*monitoring.betterstack, *token, *registry.http);
        }
    }
    // Key-making providers for /rotate (docs/platforms.md §6); a missing admin token leaves that secret out.
    for (const auto& [name, secret] : config.secrets) {
        using factory = std::unique_ptr<adapters::secret_provider> (*)(const secret_config&, std::string,
                                                                       adapters::http_client&);
        factory make = secret.generate == secret_generator::resend    ? adapters::make_resend_provider
                       : secret.generate == secret_generator::openai  ? adapters::make_openai_provider
                       : secret.generate == secret_generator::posthog ? adapters::make_posthog_provider
                                                      : nullptr;
        if (make == nullptr) {
            continue;
        }
        const auto token_env = secret.provider.find("token_env");
        auto token = token_env == secret.provider.end() ? std::nullopt : env(token_env->second);
        if (!token || token->empty()) {
            spdlog::warn("secrets.{}.provider.token_env: {} is not set; /rotate {} will say so", name,
                         token_env == secret.provider.end() ? std::string("(none)") : token_env->second, name);
            continue;
        }
        registry.secret_providers[name] = make(secret, *token, *registry.http);
    }
    set_env_names(registry);
    // verify.run reads the stack description; `config` outlives the registry (cli.cpp keeps both for the run).
    registry.config = &config;
    return registry;
}

void set_env_names(commands::platform_registry& registry) {
    // The adapters are owned by the registry's map; their addresses stay valid when the registry is moved.
    std::map<std::string, adapters::deploy_platform*> platforms;
    for (const auto& [name, adapter] : registry.deploy) {
        platforms[name] = adapter.get();
    }
    registry.env_names = [platforms](const std::string& service,
                                     const std::string& environment) -> result<std::set<std::string>> {
        if (const auto p = platforms.find(service); p != platforms.end()) {
            return p->second->variable_names(environment);
        }
        return fail(error_kind::unavailable, "no platform adapter for `" + service + "` (is its token set?)");
    };
}

}  // namespace opsbot::bot
