// The end of a run (the executor, bot/actions/execute.cpp): the final state — retried, and alarmed in
// the incident channel when it cannot be recorded, never only logged (issue 12) —, the plan message, the outcome
// in the thread (both ending with the audit head), the incident channel, and the follow-ups.
#include "bot/action_flow.hpp"

#include "bot/incident_followup.hpp"
#include "bot/post_deploy_watch.hpp"
#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"
#include "metrics/opsbot_metrics.hpp"
#include "storage/audit_anchor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

using storage::action_state;

namespace {

/// Attempts at the final state change before the incident channel is told it could not be recorded.
constexpr int final_state_attempts = 4;

constexpr std::string_view changed_prefix = "production changed since approval: ";

/// The thread's heading already says it: "production changed since approval: X" is shown as "X".
std::string without_changed_prefix(const std::string& message) {
    return message.starts_with(changed_prefix) ? message.substr(changed_prefix.size()) : message;
}

constexpr std::string_view check_by_hand = "Check what is live now (`/deploy status`); if the action is still needed, "
                                           "request it again: the new plan shows the current state and needs a "
                                           "fresh approval.";

}  // namespace

void action_flow::post_in_thread(const storage::action_record& action, const std::string& text) {
    auto sent = deps_.slack.post_message(action.channel.str(), text_message(text), action.message_ts.value_or(""));
    if (!sent) {
        spdlog::error("could not post in the thread of {}: {}", action.id.str(), sent.error().message);
    }
}

void action_flow::alarm(const incident_notice& notice) {
    if (auto posted = incidents_.notify(notice); !posted) {
        spdlog::error("incident notice not posted ({}); the action's thread still has it", notice.what);
    }
}

std::string action_flow::audit_head_text() {
    auto head = audit_.head();
    if (!head) {
        spdlog::error("could not read the audit head: {}", head.error().message);
        return {};
    }
    return *head ? storage::short_head((*head)->seq, (*head)->hash) : std::string();
}

result<void> action_flow::record_final_state(const storage::action_record& action, const run_end& end) {
    boost::json::object detail;
    if (end.state == action_state::failed) {
        detail = {{"failed_step", end.step}, {"error", end.error}};
        if (end.changed_since_approval) {
            detail["changed_since_approval"] = true;
        }
    } else if (end.state == action_state::stopped) {
        detail = {{"stopped_by", end.stopped_by}, {"step", end.step}, {"while_waiting", end.stopped_while_waiting}};
    }
    auto backoff = deps_.poll_interval;
    result<void> ended;
    for (int attempt = 1; attempt <= final_state_attempts; ++attempt) {
        ended = actions_.transition(action.id, action_state::running, end.state, "opsbot", detail);
        if (ended || taken_over_meanwhile(action)) {
            return ended;
        }
        spdlog::error("{} could not be marked {} (attempt {} of {}): {}", action.id.str(), storage::to_string(end.state),
                      attempt, final_state_attempts, ended.error().message);
        if (attempt < final_state_attempts) {
            deps_.sleep(backoff);
            backoff *= 2;
        }
    }
    return ended;
}

bool action_flow::taken_over_meanwhile(const storage::action_record& action) {
    auto now = actions_.get(action.id);
    return now && now->state == action_state::interrupted;
}

void action_flow::finish(const storage::action_record& action, const commands::plan& plan, plan_view& view,
                         const run_end& end, const commands::run_state* state) {
    const std::string id = action.id.str();
    const auto recorded = record_final_state(action, end);
    if (!recorded && taken_over_meanwhile(action)) {
        // This replica lost its lease while the last step ran, and another reported the action interrupted. What it
        // saw of the end goes into the thread; the locks the takeover kept for the step can go now.
        release_locks(action);
        const std::string seen = end.state == action_state::failed
                                     ? fmt::format("step {} failed: {}", end.step, end.error)
                                     : std::string(storage::to_string(end.state));
        spdlog::warn("{} ended {} here after another replica took it over", id, seen);
        post_in_thread(action, fmt::format(":information_source: The replica that had lost this action (its lease ran "
                                           "out while a step still ran) saw it end: *{}*. It stays *interrupted*; "
                                           "its locks are free now.",
                                           escape_mrkdwn(seen)));
        return;
    }
    const bool failed = end.state == action_state::failed;
    const bool stopped = end.state == action_state::stopped;
    const std::string stop_where = fmt::format("{} step {} of {}", end.stopped_while_waiting ? "at" : "before",
                                               end.step, plan.steps.size());
    view.state = std::string(storage::to_string(end.state));
    metrics::action_finished(plan.family, view.state);
    if (stopped) {
        view.note = fmt::format("Stopped by {} {}; what ran before stays as it is.", end.stopped_by, stop_where);
    }
    if (!recorded) {
        view.note = "opsbot could not record this outcome in its database: see the incident channel.";
    }
    auto finished = actions_.get(action.id);
    const storage::action_record& now = finished ? *finished : action;
    update_message(now, plan, view, !recorded.has_value());

    std::string outcome_text;
    std::string thread;
    std::string next_step = plan.next_step_on_failure;
    if (end.changed_since_approval) {
        outcome_text = fmt::format("step {} found production changed since approval: {}; nothing after it ran",
                                   end.step, without_changed_prefix(end.error));
        thread = fmt::format(":warning: *Production changed since approval* — step {}: {}. Nothing after it ran.",
                             end.step, escape_mrkdwn(without_changed_prefix(end.error)));
        next_step = check_by_hand;
    } else if (failed) {
        outcome_text = fmt::format("step {} failed: {}", end.step, end.error);
        thread = ":x: *Failed* — " + escape_mrkdwn(outcome_text);
    } else if (stopped) {
        outcome_text = fmt::format("stopped by {} {}", end.stopped_by, stop_where);
        thread = fmt::format(":octagonal_sign: *Stopped* by <@{}> {}; nothing after it ran and what ran before "
                             "stays as it is.",
                             escape_mrkdwn(end.stopped_by), stop_where);
        next_step = check_by_hand;
    } else {
        outcome_text = plan.steps.size() == 1 ? std::string("the step succeeded")
                                              : fmt::format("all {} steps succeeded", plan.steps.size());
        if (auto late = controls_.stop_requested(id)) {
            outcome_text += fmt::format(" (the Stop from {} came after the last step had started)", *late);
        }
        thread = ":white_check_mark: *Succeeded* — " + escape_mrkdwn(outcome_text);
    }
    if (failed || stopped) {
        thread += "\n*Next step:* " + escape_mrkdwn(next_step);
    }
    if (recorded) {
        // The head after this action's last entry, outside the database (issue 12): `opsbot audit verify --head`.
        if (auto head = audit_head_text(); !head.empty()) {
            thread += "\naudit " + escape_mrkdwn(head);
        }
    }
    post_in_thread(now, thread);

    if (failed || stopped || deps_.families.hooks_of(plan.family).announce_success) {
        incident_notice notice;
        notice.severity = failed ? incident_severity::failure
                          : stopped ? incident_severity::warning
                                    : incident_severity::info;
        notice.what = end.changed_since_approval
                          ? fmt::format("Production changed since approval: {} stopped at step {}", plan.title, end.step)
                          : fmt::format("{} {}", plan.title, stopped ? "was stopped" : failed ? "failed" : "succeeded");
        notice.action_id = id;
        notice.service = plan.service;
        notice.environment = plan.environment;
        notice.requester = action.requester.str();
        notice.approvers = view.approvers;
        notice.outcome = outcome_text;
        notice.channel = action.channel.str();
        notice.thread_ts = action.message_ts.value_or("");
        notice.next_step = failed || stopped ? next_step
                                             : "Verify the service (health, web, Sentry) and investigate the root "
                                               "cause on the rolled-back commit (runbook §8).";
        // The family's word on the run (a rotation: per service which value it holds, by fingerprint).
        if (state != nullptr) {
            notice.details_mrkdwn = state->report_mrkdwn(deps_.config, plan, failed || stopped);
            if (auto next = state->next_step_after_success(); !failed && !stopped && !next.empty()) {
                notice.next_step = next;
            }
        }
        name_leak_notice(plan, failed || stopped, notice);
        alarm(notice);
    }
    if (!recorded) {
        incident_notice notice;
        notice.severity = incident_severity::failure;
        notice.what = fmt::format("{} ({}) ended {} but opsbot could not record it", plan.title, id,
                                  storage::to_string(end.state));
        notice.action_id = id;
        notice.service = plan.service;
        notice.environment = plan.environment;
        notice.requester = action.requester.str();
        notice.outcome = fmt::format("{}; the final state change failed {} times: {}", outcome_text,
                                     final_state_attempts, recorded.error().message);
        notice.channel = action.channel.str();
        notice.thread_ts = action.message_ts.value_or("");
        notice.next_step = "Check the bot's database (disk full? read-only? permissions?). Until opsbot restarts "
                           "the action shows as running and keeps its locks; at the next start it is reported "
                           "interrupted and they are freed. `opsbot audit verify` tells whether the log is intact.";
        alarm(notice);
    }
    follow_up_incident(deps_, {now, plan, end.state == action_state::succeeded, outcome_text});
    if (end.state == action_state::succeeded && deps_.families.hooks_of(plan.family).watched_after_success) {
        start_watch_after(deps_.watch, now, plan);
    }
}

}  // namespace opsbot::bot
