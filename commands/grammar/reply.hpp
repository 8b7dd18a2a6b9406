#pragma once

#include <string>

namespace opsbot::commands {

/// What the bot answers. `text` is Slack mrkdwn; any user-supplied text inside it is already escaped.
struct reply {
    std::string text;
    bool in_channel = false;  ///< false: ephemeral (only the requester sees it)
    bool is_error = false;    ///< usage error or refusal: nothing was changed
    /// A check failed that the incident channel must hear about (`/deploy verify`): the bot posts
    /// `incident_summary` (mrkdwn, already escaped) there.
    bool notify_incident = false;
    std::string incident_summary{};
};

}  // namespace opsbot::commands
