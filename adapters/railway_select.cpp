// Pure selection rules for Railway deployments: which one is live, which one a rollback goes to.
#include "adapters/railway.hpp"

#include <algorithm>

namespace opsbot::adapters {

result<railway_deployment> pick_railway_live(const std::vector<railway_deployment>& deployments) {
    for (const auto& d : deployments) {
        if (d.succeeded()) {
            return d;
        }
    }
    return fail(error_kind::not_found, "Railway: no SUCCESS deployment found");
}

result<railway_deployment> pick_railway_rollback_target(const std::vector<railway_deployment>& deployments,
                                                        std::string_view live_id,
                                                        std::optional<std::string_view> named) {
    if (named) {
        const auto it = std::find_if(deployments.begin(), deployments.end(),
                                     [&](const railway_deployment& d) { return d.id == *named; });
        if (it == deployments.end()) {
            return fail(error_kind::not_found,
                        "Railway: deployment " + std::string(*named) + " is not among the recent deployments");
        }
        if (it->id == live_id) {
            return fail(error_kind::invalid_input, "Railway: deployment " + it->id + " is already live");
        }
        if (!it->can_rollback) {
            return fail(error_kind::invalid_input, "Railway: deployment " + it->id + " (" + it->status +
                                                       ") cannot be rolled back to (canRollback is false)");
        }
        return *it;
    }
    const auto live = std::find_if(deployments.begin(), deployments.end(),
                                   [&](const railway_deployment& d) { return d.id == live_id; });
    if (live == deployments.end()) {
        return fail(error_kind::not_found,
                    "Railway: the live deployment " + std::string(live_id) + " is not in the listed deployments");
    }
    // The list is newest first, so "older than live" is "after live"; a replaced deployment is usually
    // REMOVED yet still eligible: canRollback decides (platforms.md §2.2).
    const auto target = std::find_if(std::next(live), deployments.end(),
                                     [](const railway_deployment& d) { return d.can_rollback; });
    if (target == deployments.end()) {
        return fail(error_kind::not_found,
                    "Railway: no deployment older than " + std::string(live_id) + " can be rolled back to");
    }
    return *target;
}

}  // namespace opsbot::adapters
