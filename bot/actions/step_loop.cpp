// action_flow's executor (docs/design.md "Runtime model"): an approved plan is re-planned, run step by step under a
// lock with every step audited before and after (a step whose start cannot be audited does not run), stopped
// before its next step when someone pressed Stop, and holds no lock while a step waits for a person; at start-up,
// what a previous process left running is reported as interrupted and never re-run. The end of a run is in
// bot/action_flow_finish.cpp, the approval half in bot/action_flow.cpp.
#include "bot/action_flow.hpp"

#include "bot/slack/block_kit.hpp"
#include "commands/grammar/format.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/json_fields.hpp"
#include "core/mrkdwn.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace opsbot::bot {

using storage::action_state;

namespace {

/// What an action locks: every service its steps act on (one for a rollback, several for a rotation or a
/// site-down); for a plan whose steps name none (the database plans), its own service, else its family.
std::set<std::string> lock_subjects(const commands::plan& plan) {
    std::set<std::string> out;
    for (const auto& step : plan.steps) {
        if (auto service = json_string(step.params, "service"); !service.empty()) {
            out.insert(service);
        }
    }
    if (out.empty()) {
        out.insert(plan.service.empty() ? plan.family : plan.service);
    }
    return out;
}

/// Step outcomes and errors come from platforms and child processes: whatever they quote passes the redactor
/// (which knows this run's secret values) before it reaches Slack.
std::string shown(const std::string& text) { return global_redactor().redact(text); }

/// The secret a step waits on for a person (`manual.wait`, `/rotate SECRET --continue`), if it is such a step:
/// it holds no lock while it waits (docs/design.md "Actions and steps").
std::optional<std::string> person_wait_of(const commands::plan_step& step) {
    if (step.kind != "manual.wait") {
        return std::nullopt;
    }
    return json_string(step.params, "secret");
}

void skip_from(plan_view& view, std::size_t first) {
    for (std::size_t i = first; i < view.steps.size(); ++i) {
        view.steps[i] = step_status::skipped;
    }
}

}  // namespace

void action_flow::execute(const storage::action_record& action) {
    commands::plan plan = plan_of(action);
    auto stop_before_running = [&](const std::string& reason, const std::string& note) {
        if (auto failed = actions_.transition(action.id, action_state::approved, action_state::failed, "opsbot",
                                              {{"reason", reason}});
            !failed) {
            spdlog::error("{} could not be marked failed ({}): {}", action.id.str(), reason, failed.error().message);
        }
        if (auto now = actions_.get(action.id)) {
            auto view = view_of(*now, plan);
            view.note = note;
            update_message(*now, plan, view);
        }
        post_in_thread(action, ":x: " + escape_mrkdwn(note));
    };

    // Re-plan right before running: an approval holds only for the plan that was approved.
    auto fresh = deps_.families.plan_again(plan.request, {deps_.config, deps_.platforms, deps_.clk});
    if (!fresh) {
        stop_before_running("re-plan failed", "Not run: could not re-check the plan: " + fresh.error().message);
        return;
    }
    if (fresh->digest() != action.plan_digest) {
        stop_before_running("plan changed", "Not run: the plan changed since it was approved (the platform state "
                                            "moved, e.g. a newer deployment appeared). A fresh request follows "
                                            "and needs a fresh approval.");
        audit("opsbot", action.id, "plan.changed", {{"old_digest", action.plan_digest}, {"new_digest", fresh->digest()}});
        commands::invocation inv{action.requester, action.channel, "/" + plan.family, ""};
        post_for_approval(inv, *fresh, "");
        return;
    }
    if (auto locked = claim_locks(action, plan, 0); !locked) {
        stop_before_running("lock busy", "Not run: " + locked.error().message);
        return;
    }
    if (auto started = actions_.transition(action.id, action_state::approved, action_state::running, "opsbot");
        !started) {
        spdlog::error("{} could not start: {}", action.id.str(), started.error().message);
        if (auto released = locks_.release_for_action(action.id); !released) {
            spdlog::error("{}: could not release its locks: {}", action.id.str(), released.error().message);
        }
        // Nothing ran; the action stays `approved` until the next start reports it interrupted.
        post_in_thread(action, ":x: Not run: opsbot could not record that it starts (" +
                                   escape_mrkdwn(started.error().message) + "). Nothing was changed.");
        return;
    }
    auto running = actions_.get(action.id);
    plan_view view = view_of(running ? *running : action, plan);
    // /rotate (issue #6): this run's secret values live only in this vault and are wiped when the run ends.
    std::unique_ptr<commands::secret_vault> vault;
    if (plan.family == "rotate") {
        vault = std::make_unique<commands::secret_vault>();
    }
    commands::step_environment env{deps_.platforms, deps_.clk, deps_.sleep, deps_.poll_interval};
    env.vault = vault.get();
    env.board = deps_.board;
    env.requester = action.requester.str();
    env.steps = &deps_.families.steps();
    const run_end end = run_steps(running ? *running : action, plan, view, env, vault.get());
    finish(running ? *running : action, plan, view, end, vault.get());
    controls_.forget(action.id.str());
}

result<void> action_flow::claim_locks(const storage::action_record& action, const commands::plan& plan,
                                      std::size_t from_step) {
    std::chrono::seconds budget{0};
    for (std::size_t i = from_step; i < plan.steps.size(); ++i) {
        budget += plan.steps[i].timeout;
    }
    // One lock per service the plan touches, so a rotation or /incident site-down and a /rollback or a
    // `/deploy lock` of one of its services exclude each other. Claimed in name order (no two plans wait on each
    // other's second lock); the first refusal releases what was claimed.
    for (const auto& subject : lock_subjects(plan)) {
        auto lock = locks_.claim(subject, plan.environment, action.id.str(), plan.title,
                                 deps_.clk.now() + budget + std::chrono::minutes{5});
        if (!lock) {
            if (auto released = locks_.release_for_action(action.id); !released) {
                spdlog::error("{}: could not release its locks: {}", action.id.str(), released.error().message);
            }
            return std::unexpected(lock.error());
        }
    }
    return {};
}

action_flow::run_end action_flow::run_steps(const storage::action_record& action, const commands::plan& plan,
                                            plan_view& view, const commands::step_environment& env,
                                            const commands::secret_vault* vault) {
    const std::string id = action.id.str();
    auto failed = [&](std::size_t step, std::string error) {
        run_end end;
        end.state = action_state::failed;
        end.step = step;
        end.error = std::move(error);
        return end;
    };
    auto stopped = [&](std::size_t index, const std::string& by) {
        skip_from(view, index);
        run_end end;
        end.state = action_state::stopped;
        end.step = index + 1;
        end.stopped_by = by;
        return end;
    };
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const auto& step = plan.steps[i];
        // Stop: the step before this one finished; nothing after it runs.
        if (auto by = controls_.stop_requested(id)) {
            return stopped(i, *by);
        }
        const auto secret = person_wait_of(step);
        if (secret) {
            std::string other;
            switch (controls_.begin_wait(id, *secret, other)) {
                case run_controls::wait_start::ok: break;
                case run_controls::wait_start::stopped: return stopped(i, controls_.stop_requested(id).value_or(""));
                case run_controls::wait_start::busy:
                    view.steps[i] = step_status::failed;
                    return failed(i + 1, fmt::format("another rotation of {} ({}) is already waiting for a person; "
                                                     "finish or stop it first",
                                                     *secret, other));
            }
        }
        view.steps[i] = step_status::running;
        update_message(action, plan, view);
        // Fail closed (docs/design.md "Security rules"): a step whose start cannot be audited does not run.
        auto started = audit_.append(
            {"opsbot", action.id, "step.started", {{"index", i + 1}, {"kind", step.kind}, {"description", step.description}}});
        if (!started) {
            controls_.end_wait(id);
            view.steps[i] = step_status::failed;
            view.outcomes[i] = "not run: the audit log could not record its start";
            return failed(i + 1, "its `step.started` audit entry could not be written (" + started.error().message +
                                     "), so it was not run");
        }
        if (secret) {
            // A person may take hours: the services stay free meanwhile (a /rollback can run); taken again below.
            if (auto released = locks_.release_for_action(action.id); !released) {
                spdlog::error("{}: could not release its locks before waiting for a person: {}", id,
                              released.error().message);
            }
        }
        auto outcome = commands::run_step(step, env);
        if (secret) {
            controls_.end_wait(id);
            if (auto by = controls_.stop_requested(id); by && deps_.board != nullptr) {
                deps_.board->end_wait(*secret);  // clears a stop that landed before the wait began
                if (!outcome) {
                    audit("opsbot", action.id, "step.stopped", {{"index", i + 1}, {"kind", step.kind}, {"by", *by}});
                    view.outcomes[i] = fmt::format("stopped by {} while it waited", *by);
                    run_end end = stopped(i, *by);
                    end.stopped_while_waiting = true;
                    return end;
                }
            }
        }
        if (!outcome) {
            view.steps[i] = step_status::failed;
            view.outcomes[i] = shown(outcome.error().message);
            audit("opsbot", action.id, "step.failed",
                  {{"index", i + 1},
                   {"kind", step.kind},
                   {"error", outcome.error().message},
                   {"error_kind", to_string(outcome.error().kind)}});
            run_end end = failed(i + 1, shown(outcome.error().message));
            end.changed_since_approval = outcome.error().kind == error_kind::changed_since_approval;
            return end;
        }
        view.steps[i] = step_status::succeeded;
        view.outcomes[i] = shown(*outcome);
        boost::json::object done{{"index", i + 1}, {"kind", step.kind}, {"outcome", *outcome}};
        if (vault != nullptr && step.kind == "secret.generate") {
            done["fingerprint"] = vault->new_fingerprint();  // never the value (issue #6)
        }
        if (auto recorded = audit_.append({"opsbot", action.id, "step.succeeded", std::move(done)}); !recorded) {
            return failed(i + 1, "it ran, but its outcome could not be written to the audit log (" +
                                     recorded.error().message + "), so nothing after it runs");
        }
        if (secret && i + 1 < plan.steps.size()) {
            // Back to acting: the locks again, or nothing more runs. The steps after it re-check what they act on.
            if (auto locked = claim_locks(action, plan, i + 1); !locked) {
                skip_from(view, i + 1);
                return failed(i + 2, "lock busy: " + locked.error().message + ". It was not taken again after the "
                                                                             "wait, so nothing after it runs");
            }
        }
    }
    return run_end{};
}

void action_flow::recover_at_startup() {
    auto interrupted = actions_.mark_interrupted_at_startup();
    if (!interrupted) {
        spdlog::error("could not check for interrupted actions: {}", interrupted.error().message);
        return;
    }
    for (const auto& action : *interrupted) {
        commands::plan plan = plan_of(action);
        auto view = view_of(action, plan);
        view.note = "Interrupted by a restart of opsbot; it was not re-run.";
        update_message(action, plan, view);
        incident_notice notice;
        notice.severity = incident_severity::warning;
        notice.what = fmt::format("{} ({}) was interrupted by a restart of opsbot and was not re-run",
                                  plan.title, action.id.str());
        notice.action_id = action.id.str();
        notice.service = plan.service;
        notice.environment = plan.environment;
        notice.requester = action.requester.str();
        notice.approvers = view.approvers;
        notice.outcome = "interrupted; its locks were released";
        notice.channel = action.channel.str();
        notice.thread_ts = action.message_ts.value_or("");
        notice.next_step = "Check the platform's state by hand (`/deploy status`), then request the action again "
                           "if it is still needed.";
        alarm(notice);
        if (!deps_.config.slack.ops_channel.empty() && deps_.config.slack.ops_channel != deps_.config.slack.incident_channel) {
            auto sent = deps_.slack.post_message(deps_.config.slack.ops_channel, render_incident(notice));
            if (!sent) {
                spdlog::error("could not report {} to the ops channel: {}", action.id.str(), sent.error().message);
            }
        }
    }
}

}  // namespace opsbot::bot
