#include "bot/platform_factory.hpp"

#include "bot/platform_labels.hpp"
#include "commands/rotate/secret_vault.hpp"

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
        if (service.platform == platform_kind::vercel) {
            registry.vercel[name] = adapters::make_vercel_platform(service, *token, *registry.http);
        } else if (service.platform == platform_kind::railway) {
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
    // The adapters are owned by the registry's maps; their addresses stay valid when the registry is moved.
    std::map<std::string, adapters::vercel_platform*> vercel;
    std::map<std::string, adapters::railway_platform*> railway;
    for (const auto& [name, adapter] : registry.vercel) {
        vercel[name] = adapter.get();
    }
    for (const auto& [name, adapter] : registry.railway) {
        railway[name] = adapter.get();
    }
    registry.env_names = [vercel, railway](const std::string& service,
                                           const std::string& environment) -> result<std::set<std::string>> {
        std::set<std::string> names;
        if (const auto v = vercel.find(service); v != vercel.end()) {
            // Vercel has production and preview targets; staging reads preview (docs/platforms.md §1.5).
            auto list = v->second->list_env(environment == "production" ? "production" : "preview");
            if (!list) {
                return std::unexpected(list.error());
            }
            for (const auto& var : *list) {
                names.insert(var.key);
            }
            return names;
        }
        if (const auto r = railway.find(service); r != railway.end()) {
            auto vars = r->second->variables(environment);
            if (!vars) {
                return std::unexpected(vars.error());
            }
            // Railway answers values too: keep the names, wipe the values before the map is freed
            // (OPENSSL_cleanse: a plain fill of memory about to be freed may be dropped by the compiler).
            for (auto& [name, value] : *vars) {
                names.insert(name);
                commands::cleanse(value);
            }
            return names;
        }
        return fail(error_kind::unavailable, "no platform adapter for `" + service + "` (is its token set?)");
    };
}

}  // namespace opsbot::bot
