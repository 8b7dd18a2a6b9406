#pragma once

#include "adapters/subprocess.hpp"
#include "core/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// Runbook §4, verbatim: why only `migrate deploy` may run against these databases.
inline constexpr std::string_view forbidden_migrate_warning =
    "WARNING: Never use prisma migrate reset or prisma db push in production. These commands can drop tables "
    "and delete data. Use only prisma migrate deploy for production databases.";

/// The refusal text when the argument vector asks Prisma for something that can drop data (`migrate reset`,
/// `--force-reset`, `db push`, `--accept-data-loss`, in any position: core/prisma_command.hpp); nullopt when it
/// may run.
std::optional<std::string> refuse_deploy_command(const std::vector<std::string>& command);

struct deploy_settings {
    std::vector<std::string> command{"npx", "prisma", "migrate", "deploy"};
    std::string workdir;  ///< holds prisma/migrations/
    std::chrono::seconds timeout{std::chrono::minutes{15}};
    std::size_t max_output = 16 * 1024;  ///< tail of the output kept
    std::vector<std::string> env_passthrough;  ///< config: migrations.env_passthrough
};

/// Runs the deploy command (the Prisma CLI or the test stand-in) in `workdir` with DATABASE_URL=url set for
/// the child only (never on its command line): its environment holds the allowlist (adapters/subprocess.hpp),
/// env_passthrough and that one URL, nothing else of the bot's. The output is redacted and trimmed to its tail.
/// A refused command is an error (forbidden) and nothing runs; a failing command is a result with ok()==false.
result<subprocess_result> run_migrate_deploy(const deploy_settings& settings, const std::string& url);

}  // namespace opsbot::adapters
