#pragma once

#include <string>

namespace opsbot::commands {

/// What the bot answers. `text` is Slack mrkdwn; any user-supplied text inside it is already escaped.
struct reply {
    std::string text;
    bool in_channel = false;  ///< false: ephemeral (only the requester sees it)
    bool is_error = false;    ///< usage error or refusal: nothing was changed
};

}  // namespace opsbot::commands
