#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/deploy/status.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

namespace opsbot::commands {

/// `/incident errors` (runbook §8 "High Error Rate After Deploy"): the Sentry issues first seen since the current
/// production deployment (the newest of the services' live deployments), grouped by classify_issue, with the
/// runbook's advice per group: core → roll back now (the exact `/rollback <service>` of the newest deployment),
/// transient → watch for 5 minutes, isolated → a targeted fix. Says plainly when Sentry is not configured, not
/// connected, or did not answer. Platform calls run concurrently, bounded by timeouts.checklist. Blocking.
reply incident_errors_reply(const parsed_command& command, const command_context& context,
                            const deploy_timeouts& timeouts);
/// The handler form, with the default timeouts.
reply incident_errors_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
