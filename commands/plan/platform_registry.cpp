#include "commands/plan/platform_registry.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

adapters::deploy_platform* platform_registry::deploy_of(const std::string& service) const {
    auto it = deploy.find(service);
    return it == deploy.end() ? nullptr : it->second.get();
}

adapters::vercel_platform* platform_registry::vercel_of(const std::string& service) const {
    auto* platform = deploy_of(service);
    return platform == nullptr ? nullptr : platform->as_vercel();
}

adapters::railway_platform* platform_registry::railway_of(const std::string& service) const {
    auto* platform = deploy_of(service);
    return platform == nullptr ? nullptr : platform->as_railway();
}

result<const service_config*> find_service(const stack_config& config, const std::string& name) {
    auto it = config.services.find(name);
    if (it == config.services.end()) {
        return fail(error_kind::invalid_input, fmt::format("No service `{}` in the config.", name));
    }
    return &it->second;
}

result<adapters::deploy_platform*> deploy_adapter(const platform_registry& platforms, const service_config& service) {
    auto* platform = platforms.deploy_of(service.name);
    if (platform == nullptr) {
        return fail(error_kind::unavailable,
                    fmt::format("No {} adapter for `{}`.", display_name(service.platform), service.name));
    }
    return platform;
}

}  // namespace opsbot::commands
