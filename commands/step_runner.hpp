#pragma once

#include "commands/plan.hpp"
#include "commands/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace opsbot::commands {

class secret_vault;
class continue_board;

/// What a running step may use. Polling waits go through `sleep`, so tests can run them fast.
struct step_environment {
    const platform_registry& platforms;
    const clock& clk;
    std::function<void(std::chrono::milliseconds)> sleep;
    std::chrono::milliseconds poll_interval{2000};
    /// `/rotate` runs: the run's in-memory secret state (commands/secret_vault.hpp); null for other plans.
    secret_vault* vault = nullptr;
    /// Where manual.wait meets `/rotate SECRET --continue`; null when the bot has none (then manual.wait fails).
    continue_board* board = nullptr;
    /// The Slack user id of the action's requester: the one who may `--continue` a manual step.
    std::string requester = {};
};

/// Runs one plan step until it is done, has failed, or its timeout passed. Returns a short human
/// outcome ("alias job succeeded after 3 polls"); errors say what failed and are safe to show.
/// Steps are idempotent where the platform allows (a rollback to what is already live does nothing).
result<std::string> run_step(const plan_step& step, const step_environment& env);

/// The database step kinds ("postgres.backup", "prisma.deploy", "prisma.status", "migrate.verified"),
/// run by run_step; needs env.platforms.database. Defined in commands/database_steps.cpp.
result<std::string> run_database_step(const plan_step& step, const step_environment& env);

/// The rotation step kinds ("secret.*", "manual.*"), run by run_step; need env.vault.
/// Defined in commands/rotate_steps.cpp.
result<std::string> run_rotate_step(const plan_step& step, const step_environment& env);

}  // namespace opsbot::commands
