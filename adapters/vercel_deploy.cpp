// The deploy_platform face of every Vercel implementation (adapters/deploy_platform.hpp), written once on top of
// the Vercel calls: opsbot deploys Vercel production only (staging builds come from git pushes).
#include "adapters/vercel.hpp"

#include <chrono>

namespace opsbot::adapters {
namespace {

platform_deployment neutral(const vercel_deployment& d) {
    platform_deployment out;
    out.id = d.id;
    out.commit_sha = d.commit_sha;
    out.branch = d.commit_ref;
    out.status = d.state;
    out.created = clock::time_point{std::chrono::milliseconds{d.created_ms}};
    return out;
}

result<void> production_only(const std::string& environment) {
    if (environment != "production") {
        return fail(error_kind::unavailable, "Vercel deployments are read for production only");
    }
    return {};
}

}  // namespace

result<platform_deployment> vercel_platform::live(const std::string& environment) {
    if (auto ok = production_only(environment); !ok) {
        return std::unexpected(ok.error());
    }
    auto current = current_production();
    if (!current) {
        return std::unexpected(current.error());
    }
    auto out = neutral(*current);
    out.live = true;
    return out;
}

result<std::vector<platform_deployment>> vercel_platform::recent(const std::string& environment, int limit) {
    if (auto ok = production_only(environment); !ok) {
        return std::unexpected(ok.error());
    }
    auto list = list_production_deployments(limit);
    if (!list) {
        return std::unexpected(list.error());
    }
    const auto current = pick_vercel_current_production(*list);
    std::vector<platform_deployment> out;
    for (const auto& d : *list) {
        out.push_back(neutral(d));
        out.back().live = current && current->id == d.id;
    }
    return out;
}

result<std::set<std::string>> vercel_platform::variable_names(const std::string& environment) {
    // Vercel has production and preview targets; any other environment reads preview (docs/platforms.md §1.5).
    auto list = list_env(environment == "production" ? "production" : "preview");
    if (!list) {
        return std::unexpected(list.error());
    }
    std::set<std::string> names;
    for (const auto& var : *list) {
        names.insert(var.key);
    }
    return names;
}

}  // namespace opsbot::adapters
