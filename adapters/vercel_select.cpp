// Pure selection rules for Vercel deployments: which one is live, which one a rollback goes to.
#include "adapters/vercel.hpp"

#include <algorithm>

namespace opsbot::adapters {

namespace {

std::vector<vercel_deployment> newest_first(std::vector<vercel_deployment> list) {
    std::stable_sort(list.begin(), list.end(),
                     [](const vercel_deployment& a, const vercel_deployment& b) {
                         return a.created_ms > b.created_ms;
                     });
    return list;
}

}  // namespace

bool is_valid_vercel_id(std::string_view id) {
    if (id.empty() || id.size() > 128) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

result<vercel_deployment> pick_vercel_current_production(const std::vector<vercel_deployment>& deployments) {
    const auto sorted = newest_first(deployments);
    // After an instant rollback the aliased deployment is older than the newest READY one; Vercel marks
    // the aliased one readySubstate=PROMOTED (docs/platforms.md §1.1).
    for (const auto& d : sorted) {
        if (d.ready() && d.production() && d.ready_substate == "PROMOTED") {
            return d;
        }
    }
    for (const auto& d : sorted) {
        if (d.ready() && d.production()) {
            return d;
        }
    }
    return fail(error_kind::not_found, "Vercel: no READY production deployment found");
}

result<vercel_deployment> pick_vercel_rollback_target(const std::vector<vercel_deployment>& deployments,
                                                      std::string_view current_id,
                                                      std::optional<std::string_view> named) {
    const auto sorted = newest_first(deployments);
    const auto current = std::find_if(sorted.begin(), sorted.end(),
                                      [&](const vercel_deployment& d) { return d.id == current_id; });
    if (named) {
        const auto it = std::find_if(sorted.begin(), sorted.end(),
                                     [&](const vercel_deployment& d) { return d.id == *named; });
        if (it == sorted.end()) {
            return fail(error_kind::not_found,
                        "Vercel: deployment " + std::string(*named) +
                            " is not among the recent production deployments");
        }
        if (it->id == current_id) {
            return fail(error_kind::invalid_input, "Vercel: deployment " + it->id + " is already live");
        }
        if (!it->production()) {
            return fail(error_kind::invalid_input, "Vercel: deployment " + it->id + " is not a production deployment");
        }
        if (!it->ready()) {
            return fail(error_kind::invalid_input,
                        "Vercel: deployment " + it->id + " is " + it->state +
                            ", only READY deployments can be promoted");
        }
        return *it;
    }
    if (current == sorted.end()) {
        return fail(error_kind::not_found,
                    "Vercel: the live deployment " + std::string(current_id) + " is not in the listed deployments");
    }
    for (const auto& d : sorted) {
        if (d.created_ms < current->created_ms && d.ready() && d.production() && d.id != current->id) {
            return d;
        }
    }
    return fail(error_kind::not_found,
                "Vercel: no READY production deployment older than " + current->id + " to roll back to");
}

}  // namespace opsbot::adapters
