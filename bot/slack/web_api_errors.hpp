#pragma once

#include "core/error.hpp"

#include <string_view>

namespace opsbot::bot {

/// The error kind for a Slack error code (`ok:false`, docs/slack.md §3): auth for refused credentials,
/// forbidden for missing scopes and channel permissions, not_found, rate_limited, invalid_input for requests
/// Slack rejected as malformed, unavailable for Slack-side failures, http_status for anything unknown.
error_kind slack_error_kind(std::string_view code);

/// The code as it may appear in a message: Slack codes are lower-case words; anything else is replaced.
std::string_view safe_slack_code(std::string_view code);

}  // namespace opsbot::bot
