#include "bot/platform_factory.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::bot {

commands::platform_registry make_platform_registry(const stack_config& config, env_lookup env) {
    commands::platform_registry registry;
    registry.http = adapters::make_http_client();
    registry.health = adapters::make_health_checker(*registry.http);
    for (const auto& [name, service] : config.services) {
        auto token = env(service.token_env);
        if (!token || token->empty()) {
            spdlog::warn("services.{}.token_env: {} is not set; commands for `{}` will say so", name,
                         service.token_env, name);
            continue;
        }
        if (service.platform == "vercel") {
            registry.vercel[name] = adapters::make_vercel_platform(service, *token, *registry.http);
        } else if (service.platform == "railway") {
            registry.railway[name] = adapters::make_railway_platform(service, *token, *registry.http);
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
    // verify.run reads the stack description; `config` outlives the registry (cli.cpp keeps both for the run).
    registry.config = &config;
    return registry;
}

}  // namespace opsbot::bot
