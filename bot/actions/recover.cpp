// Start-up recovery (docs/design.md "Runtime model"): what a previous process left running or approved is marked
// interrupted, reported on its message, in the incident channel and the ops channel, and never re-run — except an
// action whose step waits for a person: its wait is stored, so it keeps waiting (bot/actions/person_wait.cpp), and
// one whose step waits for a platform: its poll is stored and resumes (bot/actions/platform_poll.cpp).
#include "bot/action_flow.hpp"

#include "bot/slack/block_kit.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

void action_flow::recover_at_startup() {
    auto interrupted = actions_.mark_interrupted_at_startup();  // not those waiting for a person
    if (!interrupted) {
        spdlog::error("could not check for interrupted actions: {}", interrupted.error().message);
        return;
    }
    resume_waits_at_startup();
    resume_polls_at_startup();
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
