// The executor's locks (docs/design.md "Actions and steps"): taken when a step acts, released when the run is done
// or a step waits for a person. One lock per service the plan acts on, claimed in name order.
#include "bot/action_flow.hpp"

#include "core/json_fields.hpp"

#include <spdlog/spdlog.h>

#include <set>

namespace opsbot::bot {
namespace {

/// What an action locks: every service its steps act on (one for a rollback, several for a rotation or a
/// site-down); for a plan whose steps name none (the database plans), its own service, else its family.
std::set<std::string> lock_subjects(const commands::plan& plan) {
    std::set<std::string> out;
    for (const auto& step : plan.steps) {
        if (auto service = json_string(step.params, "service"); !service.empty()) {
            out.insert(service);
        }
    }
    if (out.empty()) {
        out.insert(plan.service.empty() ? plan.family : plan.service);
    }
    return out;
}

}  // namespace

result<void> action_flow::claim_locks(const storage::action_record& action, const commands::plan& plan,
                                      std::size_t from_step) {
    std::chrono::seconds budget{0};
    for (std::size_t i = from_step; i < plan.steps.size(); ++i) {
        budget += plan.steps[i].timeout;
    }
    // One lock per service the plan touches, so a rotation or /incident site-down and a /rollback or a
    // `/deploy lock` of one of its services exclude each other. Claimed in name order (no two plans wait on each
    // other's second lock); the first refusal releases what was claimed.
    for (const auto& subject : lock_subjects(plan)) {
        auto lock = locks_.claim(subject, plan.environment, action.id.str(), plan.title,
                                 deps_.clk.now() + budget + std::chrono::minutes{5});
        if (!lock) {
            release_locks(action);
            return std::unexpected(lock.error());
        }
    }
    return {};
}

void action_flow::release_locks(const storage::action_record& action) {
    if (auto released = locks_.release_for_action(action.id); !released) {
        spdlog::error("{}: could not release its locks: {}", action.id.str(), released.error().message);
    }
}

}  // namespace opsbot::bot
