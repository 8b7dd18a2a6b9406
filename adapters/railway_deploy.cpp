// The deploy_platform face of every Railway implementation (adapters/deploy_platform.hpp), written once on top of
// the Railway calls.
#include "adapters/railway.hpp"

#include "adapters/sentry.hpp"
#include "core/secure_memory.hpp"

namespace opsbot::adapters {
namespace {

/// How many deployments live() reads to find the one serving (the newest live one is among the newest few).
constexpr int live_window = 20;

platform_deployment neutral(const railway_deployment& d) {
    platform_deployment out;
    out.id = d.id;
    out.commit_sha = d.commit_hash;
    out.commit_message = d.commit_message;
    out.branch = d.branch;
    out.status = d.status;
    out.created = parse_utc_iso8601(d.created_at);
    return out;
}

}  // namespace

result<platform_deployment> railway_platform::live(const std::string& environment) {
    auto deployments = list_deployments(environment, live_window);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    auto current = pick_railway_live(*deployments);
    if (!current) {
        return std::unexpected(current.error());
    }
    auto out = neutral(*current);
    out.live = true;
    return out;
}

result<std::vector<platform_deployment>> railway_platform::recent(const std::string& environment, int limit) {
    auto list = list_deployments(environment, limit);
    if (!list) {
        return std::unexpected(list.error());
    }
    const auto current = pick_railway_live(*list);
    std::vector<platform_deployment> out;
    for (const auto& d : *list) {
        out.push_back(neutral(d));
        out.back().live = current && current->id == d.id;
    }
    return out;
}

result<std::set<std::string>> railway_platform::variable_names(const std::string& environment) {
    auto vars = variables(environment);
    if (!vars) {
        return std::unexpected(vars.error());
    }
    // Railway answers values too: keep the names, wipe the values before the map is freed (core/secure_memory.hpp).
    std::set<std::string> names;
    for (auto& [name, value] : *vars) {
        names.insert(name);
        secure_erase(value);
    }
    return names;
}

}  // namespace opsbot::adapters
