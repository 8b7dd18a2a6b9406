#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace opsbot::commands {

class secret_vault;
class continue_board;
class step_catalog;

/// What a running step may use. Blocking waits go through `sleep`, so tests can run them fast: the re-reads after an
/// unclear answer, and the polls of a step run to its end by run_step (the executor stores its polls instead).
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
    /// The step kinds of every family (commands/plan/step_kind.hpp): run_step finds each step's runner here.
    const step_catalog* steps = nullptr;
};

/// Runs one plan step, by its kind in env.steps: its precondition (check_precondition), then the step until it is
/// done, has failed, or its timeout passed — a step that waits for a platform (act + poll_check) polling on this
/// thread, poll_interval apart. Returns a short human outcome ("alias job succeeded after 3 polls"); errors say what
/// failed and are safe to show. Steps are idempotent where the platform allows (a rollback to what is already live
/// does nothing).
result<std::string> run_step(const plan_step& step, const step_environment& env);

/// The step's precondition (step_kind::precondition): ok when its kind has none; the refusal otherwise.
result<void> check_precondition(const plan_step& step, const step_environment& env);

/// run_step without the precondition: for the executor, which checked it itself right before (and audits a refusal).
result<std::string> run_checked_step(const plan_step& step, const step_environment& env);

/// A step that waits for a platform whose timeout passed after `polls` polls: error_kind::timeout,
/// "<kind>: not finished after <timeout> s (<polls> polls)" — the same whether the executor stored the poll or
/// run_step polled on its thread.
error poll_timeout(const plan_step& step, int polls);

}  // namespace opsbot::commands
