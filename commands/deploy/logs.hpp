#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <chrono>

namespace opsbot::commands {

/// `/deploy logs` bounds: lines shown when N is not given, and the most one answer reads.
inline constexpr int deploy_logs_default_lines = 50;
inline constexpr int deploy_logs_max_lines = 200;

/// The Railway log query of `--errors`: Railway's level attribute (docs.railway.com/cli/logs "Filter syntax"; the
/// schema's deploymentLogs(filter) takes it as is).
inline constexpr const char* deploy_logs_errors_filter = "@level:error";

/// `/deploy logs <service> [N] [--errors]`: the newest N lines (default 50, at most 200) of the service's live
/// production deployment, oldest first, each through the redactor (global_redactor) before it is shown; `--errors`
/// asks Railway for error lines only. Railway services only: a Vercel service is answered with why not. The reply is
/// ephemeral; lines that do not fit one Slack block are cut, oldest first, and the reply says so. Blocking.
reply deploy_logs_reply(const parsed_command& command, const command_context& context,
                        std::chrono::milliseconds timeout);
/// The handler form: waits up to 8 s for Railway.
reply deploy_logs_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
