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
    return registry;
}

}  // namespace opsbot::bot
