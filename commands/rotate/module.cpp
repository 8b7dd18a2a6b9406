#include "commands/rotate/module.hpp"

#include "commands/plan/health_step.hpp"
#include "commands/rotate/continue.hpp"
#include "commands/rotate/plan.hpp"
#include "commands/rotate/resume.hpp"
#include "commands/rotate/run_state.hpp"
#include "commands/rotate/spec.hpp"
#include "commands/rotate/steps.hpp"

namespace opsbot::commands {
namespace {

/// `/rotate SECRET` is planned; `/rotate SECRET --continue` answers a rotation waiting for its requester.
bool not_a_continue(const parsed_command& command) { return !command.has_flag("continue"); }

result<plan> plan_of(const stored_request& request, const plan_context& context) {
    rotate_request typed{request.arg("secret"), "production", ""};
    return plan_rotate(context.config, context.platforms, typed, context.clk);
}

}  // namespace

family_module rotate_module() {
    family_module out;
    out.commands.push_back(command_family{rotate_family(), {{"", &rotate_continue_reply, &plan_of, &not_a_continue}}});
    out.steps = rotate_step_kinds();
    out.steps.push_back(health_check_kind());
    out.run.make_state = &make_rotation_state;
    // Its vault does not survive a restart: a resumed run whose steps left need it stops at once, saying so.
    out.run.cannot_resume = &rotation_cannot_resume;
    out.run.announce_success = true;  // rotations are announced in the incident channel (runbook §6)
    out.run.watched_after_success = true;
    return out;
}

}  // namespace opsbot::commands
