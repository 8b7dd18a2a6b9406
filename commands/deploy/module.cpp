#include "commands/deploy/module.hpp"

#include "commands/deploy/check.hpp"
#include "commands/deploy/locks.hpp"
#include "commands/deploy/logs.hpp"
#include "commands/deploy/plan.hpp"
#include "commands/deploy/spec.hpp"
#include "commands/deploy/status.hpp"
#include "commands/deploy/steps.hpp"
#include "commands/deploy/verify.hpp"
#include "commands/plan/health_step.hpp"

namespace opsbot::commands {
namespace {

/// `/deploy <service> [env]`: production is planned for approval, staging runs at once (deploy_now_reply).
bool in_production(const parsed_command& command) { return command.arg("env").value_or("production") == "production"; }

result<plan> plan_of(const stored_request& request, const plan_context& context) {
    deploy_request typed{request.arg("service"), request.arg("env")};
    if (typed.environment.empty()) {
        typed.environment = "production";
    }
    return plan_deploy(context.config, context.platforms, typed, context.clk);
}

reply status(const parsed_command& command, const command_context& context) {
    return deploy_status_reply(command, context);
}

reply logs(const parsed_command& command, const command_context& context) {
    return deploy_logs_reply(command, context);
}

}  // namespace

family_module deploy_module() {
    command_family deploy{deploy_family(),
                          {
                              {"status", &status, {}, {}},
                              {"check", &deploy_check_reply, {}, {}},
                              {"verify", &deploy_verify_reply, {}, {}},
                              {"logs", &logs, {}, {}},
                              {"lock", &run_deploy_lock, {}, {}},
                              {"unlock", &run_deploy_unlock, {}, {}},
                              {"", &deploy_now_reply, &plan_of, &in_production},
                          }};
    family_module out;
    out.commands.push_back(std::move(deploy));
    out.steps = deploy_step_kinds();
    out.steps.push_back(health_check_kind());
    out.run.watched_after_success = true;
    return out;
}

}  // namespace opsbot::commands
