#include "commands/rollback/module.hpp"

#include "commands/plan/health_step.hpp"
#include "commands/rollback/plan.hpp"
#include "commands/rollback/spec.hpp"
#include "commands/rollback/steps.hpp"

namespace opsbot::commands {
namespace {

result<plan> plan_of(const stored_request& request, const plan_context& context) {
    rollback_request typed;
    typed.service = request.arg("service");
    if (auto named = request.arg("deployment"); !named.empty()) {
        typed.deployment = named;
    }
    return plan_rollback(context.config, context.platforms, typed, context.clk);
}

}  // namespace

family_module rollback_module() {
    family_module out;
    out.commands.push_back(command_family{rollback_family(), {{"", {}, &plan_of, {}}}});
    out.steps = rollback_step_kinds();
    out.steps.push_back(health_check_kind());
    out.run.announce_success = true;  // a rollback is news for the incident channel even when it works (runbook §8)
    out.run.watched_after_success = true;
    return out;
}

}  // namespace opsbot::commands
