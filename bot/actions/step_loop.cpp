// The executor's step loop (docs/design.md "Actions and steps"): each step audited before it runs and after it
// ran — a step whose start cannot be audited does not run (fail-closed, "Security rules") —, Stop honoured before
// each step, and each step's precondition (step_kind::precondition) checked right before it acts. A step that waits for a person does not run here: it is stored as a wait and the loop lets its thread
// go (bot/actions/person_wait.cpp), holding no lock; a continue resumes the loop after it. A step that waits for a
// platform acts here, then is stored as a poll and the loop lets its thread go too (bot/actions/platform_poll.cpp),
// keeping its locks; its last poll resumes the loop after it.
#include "bot/action_flow.hpp"

#include "commands/plan/step_kind.hpp"
#include "core/redactor.hpp"
#include "metrics/opsbot_metrics.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

using storage::action_state;

namespace {

/// Step outcomes and errors come from platforms and child processes: whatever they quote passes the redactor
/// (which knows this run's secret values) before it reaches Slack.
std::string shown(const std::string& text) { return global_redactor().redact(text); }

}  // namespace

boost::json::object action_flow::refused_by_precondition() { return {{"refused_by", "precondition"}}; }

void action_flow::skip_from(plan_view& view, std::size_t first) {
    for (std::size_t i = first; i < view.steps.size(); ++i) {
        view.steps[i] = step_status::skipped;
    }
}

action_flow::run_end action_flow::failed_at(std::size_t step, std::string error) {
    run_end end;
    end.state = action_state::failed;
    end.step = step;
    end.error = std::move(error);
    return end;
}

action_flow::run_end action_flow::stopped_at(plan_view& view, std::size_t index, const std::string& by) {
    skip_from(view, index);
    run_end end;
    end.state = action_state::stopped;
    end.step = index + 1;
    end.stopped_by = by;
    return end;
}

action_flow::run_end action_flow::taken_elsewhere(std::size_t index, std::string why) {
    run_end end;
    end.taken_elsewhere = true;
    end.step = index + 1;
    end.error = std::move(why);
    return end;
}

commands::step_environment action_flow::environment_for(const storage::action_record& action,
                                                        commands::run_state* state) {
    commands::step_environment env{deps_.platforms, deps_.clk, deps_.sleep, deps_.poll_interval};
    env.requester = action.requester.str();
    env.steps = &deps_.families.steps();
    if (state != nullptr) {
        state->attach(env);
    }
    return env;
}

action_flow::run_end action_flow::step_failed(const storage::action_record& action, run_context& run, std::size_t i,
                                              const error& why, boost::json::object extra) {
    const auto& step = run.plan.steps[i];
    plan_view& view = run.view;
    view.steps[i] = step_status::failed;
    view.outcomes[i] = shown(why.message);
    boost::json::object detail = std::move(extra);
    detail["index"] = i + 1;
    detail["kind"] = step.kind;
    detail["error"] = why.message;
    detail["error_kind"] = to_string(why.kind);
    audit("opsbot", action.id, "step.failed", std::move(detail));
    run_end end = failed_at(i + 1, shown(why.message));
    end.changed_since_approval = why.kind == error_kind::changed_since_approval;
    return end;
}

std::optional<action_flow::run_end> action_flow::after_step(const storage::action_record& action, run_context& run,
                                                            std::size_t i, const result<std::string>& outcome,
                                                            bool waited) {
    const auto& step = run.plan.steps[i];
    plan_view& view = run.view;
    if (!outcome) {
        return step_failed(action, run, i, outcome.error());
    }
    view.steps[i] = step_status::succeeded;
    view.outcomes[i] = shown(*outcome);
    boost::json::object done{{"index", i + 1}, {"kind", step.kind}, {"outcome", *outcome}};
    if (run.state != nullptr) {
        run.state->describe_success(step, done);  // e.g. a new secret's fingerprint, never its value
    }
    if (auto recorded = audit_.append({"opsbot", action.id, "step.succeeded", std::move(done)}); !recorded) {
        return failed_at(i + 1, "it ran, but its outcome could not be written to the audit log (" +
                                    recorded.error().message + "), so nothing after it runs");
    }
    if (waited && i + 1 < run.plan.steps.size()) {
        // Back to acting: the locks again, or nothing more runs. The steps after it re-check what they act on.
        if (auto locked = claim_locks(action, run.plan, i + 1); !locked) {
            skip_from(view, i + 1);
            return failed_at(i + 2, "lock busy: " + locked.error().message + ". It was not taken again after the "
                                                                            "wait, so nothing after it runs");
        }
    }
    return std::nullopt;
}

action_flow::run_end action_flow::run_steps(const storage::action_record& action,
                                            const std::shared_ptr<run_context>& shared, std::size_t from) {
    const std::string id = action.id.str();
    run_context& run = *shared;
    const commands::plan& plan = run.plan;
    plan_view& view = run.view;
    const commands::step_environment env = environment_for(action, run.state.get());
    for (std::size_t i = from; i < plan.steps.size(); ++i) {
        const auto& step = plan.steps[i];
        // Stop: the step before this one finished; nothing after it runs.
        if (auto by = controls_.stop_requested(id)) {
            return stopped_at(view, i, *by);
        }
        const commands::step_kind* kind = deps_.families.steps().find(step.kind);
        const bool waits = kind != nullptr && kind->role == commands::step_role::waiting_for_person &&
                           kind->wait_begin && kind->wait_check && kind->wait_key;
        if (waits) {
            if (auto busy = other_waiter(action, kind->wait_key(step))) {
                view.steps[i] = step_status::failed;
                return failed_at(i + 1, *busy);
            }
        }
        view.steps[i] = step_status::running;
        update_message(action, plan, view);
        // Fail closed (docs/design.md "Security rules"): a step whose start cannot be audited does not run. The same
        // transaction checks that this replica still owns the run (model/replicas.pml): after a takeover it does not.
        auto started = actions_.start_step(
            action.id,
            {"opsbot", action.id, "step.started", {{"index", i + 1}, {"kind", step.kind}, {"description", step.description}}});
        if (!started && started.error().kind == error_kind::conflict) {
            spdlog::warn("{}: step {} not started: {}", id, i + 1, started.error().message);
            return taken_elsewhere(i, started.error().message);
        }
        if (!started) {
            view.steps[i] = step_status::failed;
            view.outcomes[i] = "not run: the audit log could not record its start";
            return failed_at(i + 1, "its `step.started` audit entry could not be written (" + started.error().message +
                                        "), so it was not run");
        }
        // Right before it acts (docs/design.md "Actions and steps"): what must still hold, e.g. the live deployment
        // the approval saw. A refusal fails the step, audited, before anything is sent.
        if (auto ready = commands::check_precondition(step, env); !ready) {
            return step_failed(action, run, i, ready.error(), refused_by_precondition());
        }
        if (waits) {
            return begin_person_wait(action, run, i, env);
        }
        if (kind != nullptr && kind->polls()) {
            if (auto end = begin_poll(action, shared, i, env)) {
                return *end;  // failed, or stored as a poll: this worker goes
            }
            continue;  // done at once (nothing to wait for)
        }
        auto outcome = metrics::timed_step(step.kind, [&] { return commands::run_checked_step(step, env); });
        if (auto end = after_step(action, run, i, outcome, false)) {
            return *end;
        }
    }
    return run_end{};
}

}  // namespace opsbot::bot
