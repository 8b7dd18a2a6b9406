#pragma once

#include "adapters/prisma_migrations.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <string>

namespace opsbot::commands {

/// `/migrate status [env]`: for each environment (both unless one is named), what _prisma_migrations and the
/// migration folders say: applied / pending / failed / modified, or "not managed by Prisma Migrate".
/// Reads the databases with libpq (blocking: call on a worker). Uses context.platforms.database when set.
reply migrate_status_reply(const parsed_command& command, const command_context& context);

/// The mrkdwn lines for one environment's status.
std::string format_prisma_status(std::string_view environment, const adapters::prisma_status& status);

}  // namespace opsbot::commands
