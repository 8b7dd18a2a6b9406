#include "commands/plan/platform_registry.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

adapters::vercel_platform* platform_registry::vercel_of(const std::string& service) const {
    auto it = vercel.find(service);
    return it == vercel.end() ? nullptr : it->second.get();
}

adapters::railway_platform* platform_registry::railway_of(const std::string& service) const {
    auto it = railway.find(service);
    return it == railway.end() ? nullptr : it->second.get();
}

result<const service_config*> find_service(const stack_config& config, const std::string& name) {
    auto it = config.services.find(name);
    if (it == config.services.end()) {
        return fail(error_kind::invalid_input, fmt::format("No service `{}` in the config.", name));
    }
    return &it->second;
}

result<adapters::vercel_platform*> vercel_adapter(const platform_registry& platforms, const std::string& service) {
    auto* vercel = platforms.vercel_of(service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, fmt::format("No Vercel adapter for `{}`.", service));
    }
    return vercel;
}

result<adapters::railway_platform*> railway_adapter(const platform_registry& platforms, const std::string& service) {
    auto* railway = platforms.railway_of(service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, fmt::format("No Railway adapter for `{}`.", service));
    }
    return railway;
}

}  // namespace opsbot::commands
