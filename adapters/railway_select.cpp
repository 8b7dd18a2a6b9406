// Pure selection rules for Railway deployments: which one is live, which one a rollback goes to.
#include "adapters/railway.hpp"

#include <algorithm>
#include <string>

namespace opsbot::adapters {

railway_phase classify_railway_status(std::string_view status) {
    if (status == "SUCCESS" || status == "SLEEPING") {
        return railway_phase::live;
    }
    if (status == "QUEUED" || status == "WAITING" || status == "INITIALIZING" || status == "BUILDING" ||
        status == "DEPLOYING") {
        return railway_phase::in_progress;
    }
    if (status == "FAILED" || status == "CRASHED") {
        return railway_phase::failed;
    }
    if (status == "NEEDS_APPROVAL") {
        return railway_phase::needs_approval;
    }
    if (status == "REMOVED" || status == "REMOVING" || status == "SKIPPED") {
        return railway_phase::gone;
    }
    return railway_phase::unknown;
}

std::string railway_status_phrase(std::string_view status) {
    const std::string s(status);
    if (status == "SLEEPING") {
        return "live, asleep until traffic comes (SLEEPING)";
    }
    if (status == "REMOVING") {
        return "being removed (REMOVING)";
    }
    if (status == "SKIPPED") {
        return "skipped, never deployed (SKIPPED)";
    }
    switch (classify_railway_status(status)) {
        case railway_phase::live: return "live (" + s + ")";
        case railway_phase::in_progress: return "in progress (" + s + ")";
        case railway_phase::failed: return "failed (" + s + ")";
        case railway_phase::needs_approval: return "waiting for approval in Railway's dashboard (" + s + ")";
        case railway_phase::gone: return "removed (" + s + ")";
        case railway_phase::unknown: break;
    }
    return "in a state opsbot does not know (" + (s.empty() ? std::string("no status") : s) + ")";
}

std::optional<std::string> railway_wait_stop_reason(std::string_view status) {
    switch (classify_railway_status(status)) {
        case railway_phase::failed:
        case railway_phase::gone: return "ended " + std::string(status);
        case railway_phase::needs_approval:
            return "is " + railway_status_phrase(status) +
                   ": approve it there to let it deploy (or reject it), then check with /deploy status";
        case railway_phase::live:
        case railway_phase::in_progress:
        case railway_phase::unknown: break;
    }
    return std::nullopt;
}

result<railway_deployment> pick_railway_live(const std::vector<railway_deployment>& deployments) {
    for (const auto& d : deployments) {
        if (d.succeeded()) {
            return d;
        }
    }
    if (deployments.empty()) {
        return fail(error_kind::not_found, "Railway: no deployment found");
    }
    const auto& newest = deployments.front();
    return fail(error_kind::not_found, "Railway: no live deployment (SUCCESS or SLEEPING) found; the newest, " +
                                           newest.id + ", is " + railway_status_phrase(newest.status));
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
    // REMOVED yet still eligible: canRollback decides (docs/platforms.md §2.2).
    // Never the live deployment itself, should the list name it twice (found by fuzz/platform_adapters).
    const auto target = std::find_if(std::next(live), deployments.end(), [&](const railway_deployment& d) {
        return d.can_rollback && d.id != live_id;
    });
    if (target == deployments.end()) {
        return fail(error_kind::not_found,
                    "Railway: no deployment older than " + std::string(live_id) + " can be rolled back to");
    }
    return *target;
}

}  // namespace opsbot::adapters
