// Waits for a person are data, not threads (docs/design.md "Actions and steps"): a step that waits for a person
// (`/rotate SECRET --continue`) reads what it will compare with, stores its wait (storage/wait_store: action, step,
// deadline, memo) and lets its worker go, holding no lock. A continue (on the continuing person's worker), Stop or
// the deadline (the expiry sweeper) takes the stored wait back — exactly one of them — and ends or resumes the run on
// the worker pool. After a restart the wait is still stored: the action keeps waiting and the new process resumes it.
#include "bot/action_flow.hpp"

#include "commands/grammar/format.hpp"
#include "commands/plan/step_kind.hpp"
#include "core/mrkdwn.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

namespace {

const commands::step_kind* kind_of(const commands::family_set& families, const commands::plan_step& step) {
    return families.steps().find(step.kind);
}

}  // namespace

std::optional<std::string> action_flow::other_waiter(const storage::action_record& action, const std::string& key) {
    auto found = waits_.by_key(key);
    if (found && *found && (*found)->action != action.id) {
        return fmt::format("another action waiting on {} ({}) is already waiting for a person; finish or stop it "
                           "first",
                           key, (*found)->action.str());
    }
    return std::nullopt;
}

action_flow::run_end action_flow::begin_person_wait(const storage::action_record& action, run_context& run,
                                                    std::size_t i, const commands::step_environment& env) {
    const auto& step = run.plan.steps[i];
    const commands::step_kind* kind = kind_of(deps_.families, step);
    // A person may take hours: the services stay free meanwhile (a /rollback can run); taken again after it.
    release_locks(action);
    auto memo = kind->wait_begin(step, env);
    if (!memo) {
        return *after_step(action, run, i, std::unexpected(memo.error()), true);
    }
    storage::person_wait wait{action.id, i, kind->wait_key(step), action.requester.str(),
                              deps_.clk.now() + step.timeout, std::move(*memo)};
    if (auto stored = waits_.put(wait); !stored) {
        // Not stored, not waited on: a wait only the memory of this process knew could not survive a restart.
        return *after_step(action, run, i,
                           fail(error_kind::internal, "its wait for a person could not be stored (" +
                                                          stored.error().message + "), so it did not wait"),
                           true);
    }
    run_end end;
    end.waiting = true;
    end.step = i + 1;
    return end;
}

void action_flow::hold_wait(const storage::action_record& action, std::shared_ptr<run_context> run) {
    const std::string id = action.id.str();
    auto wait = waits_.get(action.id);
    if (!wait || !*wait) {
        return;  // a Stop or the deadline already took it
    }
    {
        std::lock_guard lock(held_mutex_);
        held_[id] = run;
    }
    if (deps_.board != nullptr) {
        if (auto held = deps_.board->hold((*wait)->key, (*wait)->requester, id); !held) {
            spdlog::error("{}: its wait on {} is stored but {} holds the board", id, (*wait)->key, held.error().message);
        }
    }
    // A Stop pressed while the wait was being stored found no wait to end: end it here (whoever takes it ends it).
    if (auto by = controls_.stop_requested(id)) {
        stop_held_wait(action, *by);
    }
}

std::shared_ptr<action_flow::run_context> action_flow::held_run(const storage::action_record& action,
                                                                const storage::person_wait& wait) {
    return held_run(action, wait.step_index);
}

std::shared_ptr<action_flow::run_context> action_flow::held_run(const storage::action_record& action,
                                                                std::size_t step_index) {
    {
        std::lock_guard lock(held_mutex_);
        if (auto it = held_.find(action.id.str()); it != held_.end()) {
            return it->second;
        }
    }
    // After a restart: the plan and the family's state again, the steps before the wait shown done.
    auto run = std::make_shared<run_context>();
    run->plan = plan_of(action);
    run->view = view_of(action, run->plan);
    for (std::size_t s = 0; s < step_index && s < run->view.steps.size(); ++s) {
        run->view.steps[s] = step_status::succeeded;
    }
    if (step_index < run->view.steps.size()) {
        run->view.steps[step_index] = step_status::running;
    }
    const auto& hooks = deps_.families.hooks_of(run->plan.family);
    run->state = hooks.make_state ? hooks.make_state() : nullptr;
    std::lock_guard lock(held_mutex_);
    return held_.try_emplace(action.id.str(), run).first->second;
}

void action_flow::forget_held(const std::string& id) {
    std::lock_guard lock(held_mutex_);
    held_.erase(id);
}

result<std::string> action_flow::continue_wait(const std::string& id) {
    auto wait = waits_.get(action_id(id));
    if (!wait) {
        return std::unexpected(wait.error());
    }
    if (!*wait) {
        return std::string("That action is no longer waiting; its progress shows on the plan message.");
    }
    auto action = actions_.get(action_id(id));
    if (!action) {
        return std::unexpected(action.error());
    }
    auto run = held_run(*action, **wait);
    const std::size_t i = (*wait)->step_index;
    if (i >= run->plan.steps.size()) {
        return fail(error_kind::internal, fmt::format("{} waits at a step its plan does not have", id));
    }
    const auto& step = run->plan.steps[i];
    const commands::step_kind* kind = kind_of(deps_.families, step);
    if (kind == nullptr || !kind->wait_check) {
        return fail(error_kind::internal, fmt::format("no check for step kind `{}`", step.kind));
    }
    const commands::step_environment env = environment_for(*action, run->state.get());
    // A continue is when the waiting step acts: its precondition is checked again first (step_kind::precondition).
    auto ready = commands::check_precondition(step, env);
    auto verdict = ready ? kind->wait_check(step, env, (*wait)->memo)
                         : result<commands::wait_verdict>(std::unexpected(ready.error()));
    if (verdict && !verdict->done) {
        return verdict->answer;  // still waiting: nothing moves
    }
    auto took = waits_.take(action_id(id));
    if (!took || !*took) {
        return std::string("That action is no longer waiting; its progress shows on the plan message.");
    }
    claim_resumed(action->id);
    if (deps_.board != nullptr) {
        deps_.board->end_wait((*wait)->key);
    }
    forget_held(id);
    auto outcome = verdict ? result<std::string>(verdict->outcome) : result<std::string>(std::unexpected(verdict.error()));
    std::string answer = verdict ? verdict->answer
                                 : "The check failed (" + global_redactor().redact(verdict.error().message) +
                                       "); the action failed. See its thread.";
    // The rest of the run goes on the worker pool; this worker answers the person.
    deps_.workers.post([this, now = *action, run, i, outcome, refused = !ready] {
        if (refused) {
            end_run(now, *run, step_failed(now, *run, i, outcome.error(), refused_by_precondition()));
            return;
        }
        if (auto end = after_step(now, *run, i, outcome, true)) {
            end_run(now, *run, *end);
            return;
        }
        continue_run(now, run, i + 1);
    });
    return answer;
}

bool action_flow::stop_held_wait(const storage::action_record& action, const std::string& by) {
    auto wait = waits_.get(action.id);
    if (!wait || !*wait) {
        return false;
    }
    auto took = waits_.take(action.id);
    if (!took || !*took) {
        return false;  // a continue or the deadline took it first
    }
    if (deps_.board != nullptr) {
        deps_.board->end_wait((*wait)->key);
    }
    auto run = held_run(action, **wait);
    forget_held(action.id.str());
    const std::size_t i = (*wait)->step_index;
    audit("opsbot", action.id, "step.stopped",
          {{"index", i + 1}, {"kind", run->plan.steps.at(i).kind}, {"by", by}});
    run_end end = stopped_at(run->view, i, by);
    run->view.outcomes[i] = fmt::format("stopped by {} while it waited", by);
    end.stopped_while_waiting = true;
    end_run(action, *run, end);
    return true;
}

void action_flow::sweep_waits() {
    auto due = waits_.due(deps_.clk.now());
    if (!due) {
        spdlog::error("could not list the waits past their deadline: {}", due.error().message);
        return;
    }
    for (const auto& wait : *due) {
        auto took = waits_.take(wait.action);
        if (!took || !*took) {
            continue;
        }
        if (deps_.board != nullptr) {
            deps_.board->end_wait(wait.key);
        }
        auto action = actions_.get(wait.action);
        if (!action) {
            spdlog::error("{} passed its wait's deadline but cannot be read: {}", wait.action.str(),
                          action.error().message);
            continue;
        }
        claim_resumed(wait.action);
        auto run = held_run(*action, wait);
        forget_held(wait.action.str());
        auto outcome = fail(error_kind::timeout, fmt::format("nobody continued `{}` before the deadline", wait.key));
        if (auto end = after_step(*action, *run, wait.step_index, outcome, true)) {
            end_run(*action, *run, *end);
        }
    }
}

void action_flow::resume_waits_at_startup() {
    auto stored = waits_.all();
    if (!stored) {
        spdlog::error("could not read the waits a previous run left: {}", stored.error().message);
        return;
    }
    for (const auto& wait : *stored) {
        auto action = actions_.get(wait.action);
        if (!action) {
            continue;
        }
        resume_wait(*action, wait, "opsbot restarted");
    }
}

void action_flow::resume_wait(const storage::action_record& action, const storage::person_wait& wait,
                              const std::string& what) {
    auto run = held_run(action, wait);
    if (auto why = cannot_resume(*run, wait.step_index)) {
        // Never held again: the steps after the wait cannot run with what survived the restart.
        if (auto took = waits_.take(wait.action); took && *took) {
            end_not_resumed(action, *run, wait.step_index, *why);
        }
        return;
    }
    if (deps_.board != nullptr) {
        if (auto held = deps_.board->hold(wait.key, wait.requester, wait.action.str()); !held) {
            spdlog::error("{}: could not wait on {} again: {}", wait.action.str(), wait.key, held.error().message);
            return;
        }
    }
    post_in_thread(action, fmt::format(":hourglass: {}; {} still waits for <@{}> (until {}).", what,
                                       wait.action.str(), escape_mrkdwn(wait.requester),
                                       commands::iso8601(wait.deadline)));
}

}  // namespace opsbot::bot
