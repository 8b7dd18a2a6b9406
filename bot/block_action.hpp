#pragma once

#include "bot/slack/envelope.hpp"

#include <optional>
#include <string>

namespace opsbot::bot {

/// A button click from an `interactive` envelope of type block_actions (docs/slack.md §2.2).
struct block_action {
    std::string user;        ///< user.id: who clicked
    std::string channel;     ///< channel.id or container.channel_id; empty for a click on the Home tab
    std::string view_id;     ///< container.view_id of a click on a view (the Home tab: container type "view")
    std::string message_ts;  ///< container.message_ts: the message holding the button
    std::string action_id;   ///< actions[0].action_id: approve | deny | cancel
    std::string value;       ///< actions[0].value: "<action id>:<plan digest>"
    std::string response_url;
};

/// nullopt for any other interactive payload, or when a required field is missing or mistyped. A click on a view
/// (`"container":{"type":"view","view_id":…}`, no channel, docs/slack.md §2.2, §2.4) is read too: the Home tab's buttons.
std::optional<block_action> read_block_action(const envelope& env);

}  // namespace opsbot::bot
