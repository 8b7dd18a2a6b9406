// Start-up recovery (docs/design.md "Runtime model"): what a previous process left running or approved is marked
// interrupted, reported on its message, in the incident channel and the ops channel, and never re-run — except an
// action whose step waits for a person: its wait is stored, so it keeps waiting (bot/actions/person_wait.cpp), and
// one whose step waits for a platform: its poll is stored and resumes (bot/actions/platform_poll.cpp). At shutdown,
// once its grace ran out, the same report says the bot was stopped (interrupt_at_shutdown, bot/runtime.cpp).
#include "bot/action_flow.hpp"

#include "bot/slack/block_kit.hpp"

#include "commands/grammar/format.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

void action_flow::recover_at_startup(const storage::taken_over& taken) {
    resume_waits_at_startup();
    resume_polls_at_startup();
    report_interrupted(taken.interrupted, "Interrupted by a restart of opsbot; it was not re-run.",
                       "was interrupted by a restart of opsbot and was not re-run");
}

// Replicas (issue 14 item 2): the work of a replica whose lease ran out, taken over by this one in one transaction
// (storage/replica_store.hpp), so no other replica reports or resumes the same action.
void action_flow::take_over(const storage::taken_over& taken) {
    const std::string what = "the opsbot replica that ran it stopped; another took it over";
    for (const auto& action : taken.waiting) {
        spdlog::warn("{}: its replica stopped; this one resumes its wait", action.id.str());
        if (auto wait = waits_.get(action.id); wait && *wait) {
            resume_wait(action, **wait, what);
        } else if (auto poll = polls_.get(action.id); poll && *poll) {
            resume_poll(action, **poll, what);
        }
    }
    for (const auto& action : taken.interrupted) {
        spdlog::warn("{} interrupted: its replica stopped before it finished", action.id.str());
    }
    report_interrupted(taken.interrupted,
                       "Interrupted: the opsbot replica running it stopped; it was not re-run.",
                       "was interrupted because the opsbot replica running it stopped; it was not re-run");
}

// Graceful shutdown (issue 15 item 4): what is still running when the grace ran out is reported as start-up recovery
// reports a crash, saying the bot was stopped. Stored waits (a person's, a platform poll) are left for the next start.
void action_flow::interrupt_at_shutdown() {
    auto interrupted = actions_.mark_interrupted_at_shutdown();
    if (!interrupted) {
        spdlog::error("could not mark the running actions interrupted at shutdown: {}", interrupted.error().message);
        return;
    }
    report_interrupted(*interrupted, "Interrupted: opsbot was stopped before it finished; it will not be re-run.",
                       "was interrupted because opsbot was stopped before it finished; it will not be re-run");
    for (const auto& action : *interrupted) {
        spdlog::warn("{} interrupted: opsbot was stopped before it finished", action.id.str());
        post_in_thread(action, ":warning: opsbot was stopped (shutdown grace over) while this ran, so it is "
                               "*interrupted* and will not be re-run. Check the platform's state by hand "
                               "(`/deploy status`), then request it again if it is still needed.");
    }
}

void action_flow::claim_resumed(const action_id& id) {
    if (auto owned = actions_.claim(id); !owned) {
        spdlog::warn("{}: could not record this replica as its owner: {}", id.str(), owned.error().message);
    }
}

std::string action_flow::locks_left_by(const storage::action_record& action) {
    auto held = locks_.list_active();
    std::vector<std::string> kept;
    std::vector<std::string> unlock;
    if (held) {
        for (const auto& lock : *held) {
            if (lock.owner == action.id.str()) {
                kept.push_back(fmt::format("{} {} until {}", lock.service, lock.environment,
                                           commands::iso8601(lock.expires_at)));
                unlock.push_back(fmt::format("`/deploy unlock {} {}`", lock.service, lock.environment));
            }
        }
    }
    if (kept.empty()) {
        return "its locks were released";
    }
    // A takeover keeps them (storage/replica_store.cpp): the replica that lost it may be slow, not dead.
    return fmt::format("its locks stay held ({}) because its step may still be acting on the replica that lost it; "
                       "once you checked the platform by hand, an approver frees them with {}",
                       fmt::join(kept, ", "), fmt::join(unlock, " and "));
}

void action_flow::report_interrupted(const std::vector<storage::action_record>& actions, const std::string& note,
                                     const std::string& what) {
    for (const auto& action : actions) {
        commands::plan plan = plan_of(action);
        auto view = view_of(action, plan);
        view.note = note;
        update_message(action, plan, view);
        incident_notice notice;
        notice.severity = incident_severity::warning;
        notice.what = fmt::format("{} ({}) {}", plan.title, action.id.str(), what);
        notice.action_id = action.id.str();
        notice.service = plan.service;
        notice.environment = plan.environment;
        notice.requester = action.requester.str();
        notice.approvers = view.approvers;
        notice.outcome = "interrupted; " + locks_left_by(action);
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
