#pragma once

#include "commands/deploy/checklist.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/deploy/status.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <string>

namespace opsbot::commands {

/// `/deploy verify [env]`, the post-deploy checklist of runbook §7, for `environment`: every service's /health
/// (status, db, redis ok), the web URL answers 200 (production), Sentry issues first seen since the newest live
/// deployment started, the BetterStack monitors of the services all `up`, the migration status, each
/// `services.<name>.verify.log_lines` entry found or missing in the live deployment's logs, and the checks no API
/// can do as "Manual: …" items (commands/deploy/verify_logs.hpp). Platform calls run concurrently, each bounded by
/// timeouts.checklist. Blocking.
checklist deploy_verify_checklist(const stack_config& config, const platform_registry& platforms,
                                  const clock& clk, const std::string& environment, const deploy_timeouts& timeouts);

/// Appends "verify.succeeded" or "verify.failed" with detail {environment, lines} (lines: "ok|warn|fail label:
/// reason"). Returns the entry's seq.
result<std::int64_t> record_verification(storage::database& db, const clock& clk, const std::string& actor,
                                         const std::string& environment, const checklist& list);

/// The handler: runs the checklist, records it, and on a failed line returns is_error with notify_incident set
/// and incident_summary filled (the bot posts it to the incident channel).
reply deploy_verify_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
