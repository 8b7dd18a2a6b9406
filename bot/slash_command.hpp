#pragma once

#include "bot/slack/envelope.hpp"
#include "commands/grammar/invocation.hpp"

#include <optional>
#include <string>

namespace opsbot::bot {

/// A slash-command envelope's payload, reduced to what the bot uses (docs/slack.md §2.1).
struct slash_command {
    commands::invocation invocation;
    std::string response_url;
};

/// Reads user_id, channel_id, command, text and response_url; nullopt when a required field is
/// missing or of the wrong type (the envelope is still acknowledged, and the problem logged).
std::optional<slash_command> read_slash_command(const envelope& env);

}  // namespace opsbot::bot
