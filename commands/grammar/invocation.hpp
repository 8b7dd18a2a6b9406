#pragma once

#include "core/ids.hpp"

#include <string>

namespace opsbot::commands {

/// One slash command as the bot received it: who, where, which command, and the raw text after it.
/// Knows nothing of Slack JSON (the bot builds it from a `slash_commands` envelope).
struct invocation {
    user_id user;
    channel_id channel;
    std::string command;  ///< "/deploy"
    std::string text;     ///< everything after the command, e.g. `lock web production "hotfix"`
};

}  // namespace opsbot::commands
