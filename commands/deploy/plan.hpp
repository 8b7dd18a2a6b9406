#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/plan/plan.hpp"
#include "commands/grammar/reply.hpp"
#include "commands/plan/step_runner.hpp"
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

/// Handler of `/deploy <service> staging` (production goes through a plan and approval, see is_planned): plans
/// and runs the steps at once, answering with each step's outcome. Blocking.
reply deploy_now_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
