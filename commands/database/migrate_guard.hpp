#pragma once
// What `/migrate` approved, checked by its prisma.deploy step right before and right after the deploy command
// (issue 12 item 2): the pending migrations' names and the SHA-256 of their migration.sql, as Prisma records
// them in `_prisma_migrations.checksum`. Internal to commands/database_steps.cpp and commands/migrate_plan.cpp.

#include "adapters/prisma_migrations.hpp"
#include "commands/database/steps.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <set>
#include <string>
#include <vector>

namespace opsbot::commands {

/// The pending migrations of `status` with their folders' checksums, for the plan (prisma.deploy "approved").
std::vector<approved_migration> approved_of(const adapters::prisma_status& status);

/// Right before the deploy command: the migration files are re-read and must be exactly the approved ones (no
/// edited migration.sql, no new or vanished folder), and for production staging must still show each of them
/// applied with the same checksum, verified since (production_gate). error_kind::changed_since_approval ("production
/// changed since approval: …") when not. prisma.deploy's precondition (step_kind::precondition).
result<void> check_before_deploy(const migrate_deploy_params& step, const database_tools& tools,
                                 const std::string& url, const clock& clk);

/// The migrations `_prisma_migrations` shows applied now: read right before the deploy command, for
/// check_after_deploy.
result<std::set<std::string>> applied_before_deploy(const database_tools& tools, const std::string& url);

/// Right after a successful deploy command: the migrations it applied (applied now, not in `applied_before`)
/// must be exactly the approved names, each with its approved checksum; error_kind::conflict otherwise.
result<void> check_after_deploy(const migrate_deploy_params& step, const std::set<std::string>& applied_before,
                                const adapters::prisma_status& after);

}  // namespace opsbot::commands
