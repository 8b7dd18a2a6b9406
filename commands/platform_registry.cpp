#include "commands/platform_registry.hpp"

namespace opsbot::commands {

adapters::vercel_platform* platform_registry::vercel_of(const std::string& service) const {
    auto it = vercel.find(service);
    return it == vercel.end() ? nullptr : it->second.get();
}

adapters::railway_platform* platform_registry::railway_of(const std::string& service) const {
    auto it = railway.find(service);
    return it == railway.end() ? nullptr : it->second.get();
}

}  // namespace opsbot::commands
