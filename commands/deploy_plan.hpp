#pragma once

#include "commands/command_context.hpp"
#include "commands/parser.hpp"
#include "commands/plan.hpp"
#include "commands/reply.hpp"
#include "commands/step_runner.hpp"
#include "core/error.hpp"

#include <string>

namespace opsbot::commands {

struct deploy_request {
    std::string service;                   ///< a key of config.services
    std::string environment = "production";
};

/// Builds the plan of `/deploy <service> [env]` from what the platform says now (runbook §2, §3, §7):
/// Vercel (production only): redeploy the current production deployment as a new production build and wait
/// until it is READY; Railway: serviceInstanceDeployV2 in the environment and wait for SUCCESS, then its /health.
/// Both end with "verify.run", the `/deploy verify` checklist of that environment. The live deployment id is in
/// the steps, so a newer deployment changes the digest (and voids an approval).
result<plan> plan_deploy(const stack_config& config, const platform_registry& platforms,
                         const deploy_request& request, const clock& clk);

/// Step kinds "vercel.redeploy", "railway.redeploy" and "verify.run" (commands/deploy_steps.cpp), run by
/// run_step. "verify.run" needs env.platforms.config and records the verification in the audit log.
result<std::string> run_deploy_step(const plan_step& step, const step_environment& env);

/// Handler of `/deploy <service> staging` (production goes through a plan and approval, see is_planned): plans
/// and runs the steps at once, answering with each step's outcome. Blocking.
reply deploy_now_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
