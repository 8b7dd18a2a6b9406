#pragma once

#include "commands/deploy/checklist.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/deploy/status.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <optional>
#include <string>

namespace opsbot::commands {

/// The newest audit entry of `event` whose detail.environment is `environment`: its time; nullopt when none.
std::optional<clock::time_point> newest_audit_time(storage::database* db, const clock& clk, std::string_view event,
                                                   std::string_view environment);

/// `/deploy check`, the pre-deploy checklist of runbook §1: CI green on the configured branch, staging
/// verified after its last deploy, pending migrations tested on staging and a backup taken, configured secrets
/// present (by name) on the platforms of their services, and the deploy-order advice. Blocking.
checklist deploy_checklist(const command_context& context, const deploy_timeouts& timeouts);

/// The handler: the checklist as a reply (is_error when a line failed).
reply deploy_check_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
