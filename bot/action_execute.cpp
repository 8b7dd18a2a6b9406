// action_flow's executor (DESIGN.md "Runtime model"): an approved plan is re-planned, run step by step under a
// lock with every step audited before and after, and its outcome reported; at start-up, what a previous process
// left running is reported as interrupted and never re-run. The approval half is in bot/action_flow.cpp.
#include "bot/action_flow.hpp"

#include "bot/incident_followup.hpp"
#include "bot/post_deploy_watch.hpp"
#include "bot/slack/block_kit.hpp"
#include "commands/format.hpp"
#include "commands/planner.hpp"
#include "commands/rotate_report.hpp"
#include "commands/secret_vault.hpp"
#include "commands/step_runner.hpp"
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

}  // namespace

void action_flow::execute(const storage::action_record& action) {
    commands::plan plan = plan_of(action);
    const std::string thread = action.message_ts.value_or("");
    auto post_in_thread = [&](const std::string& text) {
        auto sent = deps_.slack.post_message(action.channel.str(), text_message(text), thread);
        if (!sent) {
            spdlog::error("could not post in the thread of {}: {}", action.id.str(), sent.error().message);
        }
    };
    auto stop_before_running = [&](const std::string& reason, const std::string& note) {
        (void)actions_.transition(action.id, action_state::approved, action_state::failed, "opsbot",
                                  {{"reason", reason}});
        if (auto now = actions_.get(action.id)) {
            auto view = view_of(*now, plan);
            view.note = note;
            update_message(*now, plan, view);
        }
        post_in_thread(":x: " + escape_mrkdwn(note));
    };

    // Re-plan right before running: an approval holds only for the plan that was approved.
    auto fresh = commands::make_plan(deps_.config, deps_.platforms, plan.request, deps_.clk);
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
    std::chrono::seconds budget{0};
    for (const auto& s : plan.steps) {
        budget += s.timeout;
    }
    // One lock per service the plan touches, so a rotation or /incident site-down and a /rollback or a
    // `/deploy lock` of one of its services exclude each other. Claimed in name order (no two plans wait on each
    // other's second lock); the first refusal releases what was claimed.
    for (const auto& subject : lock_subjects(plan)) {
        auto lock = locks_.claim(subject, plan.environment, action.id.str(), plan.title,
                                 deps_.clk.now() + budget + std::chrono::minutes{5});
        if (!lock) {
            (void)locks_.release_for_action(action.id);
            stop_before_running("lock busy", "Not run: " + lock.error().message);
            return;
        }
    }
    if (auto started = actions_.transition(action.id, action_state::approved, action_state::running, "opsbot");
        !started) {
        spdlog::error("{} could not start: {}", action.id.str(), started.error().message);
        (void)locks_.release_for_action(action.id);
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
    std::optional<std::string> failure;
    size_t failed_index = 0;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        const auto& step = plan.steps[i];
        view.steps[i] = step_status::running;
        update_message(running ? *running : action, plan, view);
        audit("opsbot", action.id, "step.started", {{"index", i + 1}, {"kind", step.kind}, {"description", step.description}});
        auto outcome = commands::run_step(step, env);
        if (outcome) {
            view.steps[i] = step_status::succeeded;
            view.outcomes[i] = shown(*outcome);
            boost::json::object done{{"index", i + 1}, {"kind", step.kind}, {"outcome", *outcome}};
            if (vault && step.kind == "secret.generate") {
                done["fingerprint"] = vault->new_fingerprint();  // never the value (issue #6)
            }
            audit("opsbot", action.id, "step.succeeded", std::move(done));
            continue;
        }
        view.steps[i] = step_status::failed;
        view.outcomes[i] = shown(outcome.error().message);
        audit("opsbot", action.id, "step.failed",
              {{"index", i + 1}, {"kind", step.kind}, {"error", outcome.error().message}});
        failure = shown(outcome.error().message);
        failed_index = i + 1;
        break;
    }
    const action_state end = failure ? action_state::failed : action_state::succeeded;
    boost::json::object detail;
    if (failure) {
        detail = {{"failed_step", failed_index}, {"error", *failure}};
    }
    if (auto ended = actions_.transition(action.id, action_state::running, end, "opsbot", detail); !ended) {
        spdlog::error("{} could not be marked {}: {}", action.id.str(), storage::to_string(end), ended.error().message);
    }
    auto finished = actions_.get(action.id);
    if (finished) {
        view.state = std::string(storage::to_string(finished->state));
        update_message(*finished, plan, view);
    }
    std::string outcome_text = failure ? fmt::format("step {} failed: {}", failed_index, *failure)
                                       : plan.steps.size() == 1 ? std::string("the step succeeded")
                                                                : fmt::format("all {} steps succeeded", plan.steps.size());
    post_in_thread(failure ? ":x: *Failed* — " + escape_mrkdwn(outcome_text) +
                                 "\n*Next step:* " + escape_mrkdwn(plan.next_step_on_failure)
                           : ":white_check_mark: *Succeeded* — " + escape_mrkdwn(outcome_text));
    if (failure || plan.family == "rollback" || plan.family == "rotate") {
        incident_notice notice;
        notice.severity = failure ? incident_severity::failure : incident_severity::info;
        notice.what = fmt::format("{} {}", plan.title, failure ? "failed" : "succeeded");
        notice.action_id = action.id.str();
        notice.service = plan.service;
        notice.environment = plan.environment;
        notice.requester = action.requester.str();
        notice.approvers = view.approvers;
        notice.outcome = outcome_text;
        notice.channel = action.channel.str();
        notice.thread_ts = thread;
        notice.next_step = failure ? plan.next_step_on_failure : "Verify the service (health, web, Sentry) and "
                                                                 "investigate the root cause on the rolled-back "
                                                                 "commit (runbook §8).";
        // /rotate: rotations are announced; say per service which value it holds (fingerprint, never the value).
        if (vault) {
            notice.details_mrkdwn = commands::rotate_state_mrkdwn(deps_.config, plan, *vault, failure.has_value());
            if (!failure) {
                notice.next_step = "Check the services work with the new value (health, web, Sentry); any "
                                   "checklist step above is left for a human.";
            }
        }
        name_leak_notice(plan, failure.has_value(), notice);
        (void)incidents_.notify(notice);
    }
    follow_up_incident(deps_, {finished ? *finished : action, plan, !failure, outcome_text});
    if (!failure) {
        start_watch_after(deps_.watch, finished ? *finished : action, plan);
    }
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
        (void)incidents_.notify(notice);
        if (!deps_.config.slack.ops_channel.empty() && deps_.config.slack.ops_channel != deps_.config.slack.incident_channel) {
            auto sent = deps_.slack.post_message(deps_.config.slack.ops_channel, render_incident(notice));
            if (!sent) {
                spdlog::error("could not report {} to the ops channel: {}", action.id.str(), sent.error().message);
            }
        }
    }
}

}  // namespace opsbot::bot
