#pragma once

#include "bot/slack/message.hpp"
#include "bot/slack/web_api.hpp"
#include "core/error.hpp"

#include <string>
#include <vector>

namespace opsbot::bot {

enum class incident_severity { info, warning, failure };

/// The one format of every incident-channel post (failures, rollbacks, rotations, interrupted actions,
/// failed verifications, break-glass use): what happened, where, who asked and approved, the outcome,
/// the link to the thread, and the runbook's next step.
struct incident_notice {
    incident_severity severity = incident_severity::failure;
    std::string what;  ///< "Rollback of web (production) failed"
    std::string action_id;
    std::string service;
    std::string environment;
    std::string requester;
    std::vector<std::string> approvers;
    std::string outcome;    ///< "step 1 failed: Vercel's rollback job to dpl_x failed"
    std::string channel;    ///< where the action's thread is
    std::string thread_ts;  ///< the action's message
    std::string next_step;  ///< the runbook's next step
    std::string details_mrkdwn;  ///< extra lines already in escaped mrkdwn (a failed checklist's ❌ lines)
};

message render_incident(const incident_notice& notice);

/// "https://slack.com/archives/C0123/p1700000000000100" for a message.
std::string message_link(const std::string& channel, const std::string& ts);

/// Posts notices to slack.incident_channel; a failure to post is logged, never silent.
class incident_notifier {
public:
    incident_notifier(web_api& slack, std::string incident_channel);
    result<posted_message> notify(const incident_notice& notice);
    /// notify() for callers that need nothing back (no thread to follow up in): a failure is logged by notify.
    void announce(const incident_notice& notice);

private:
    web_api& slack_;
    std::string channel_;
};

}  // namespace opsbot::bot
