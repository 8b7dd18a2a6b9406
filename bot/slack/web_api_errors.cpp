// Slack Web API error codes and what an operator should do about them (docs/slack.md §3).
#include "bot/slack/web_api.hpp"
#include "bot/slack/web_api_errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace opsbot::bot {
namespace {

struct known_error {
    std::string_view code;
    error_kind kind;
    std::string_view advice;
};

constexpr std::array known_errors{
    // Credentials: retrying does not help (NODE treats these as unrecoverable).
    known_error{"not_authed", error_kind::auth, "no token was sent — check slack.bot_token_env / app_token_env"},
    known_error{"invalid_auth", error_kind::auth,
                "the token was refused — check that the environment variable holds the current token"},
    known_error{"account_inactive", error_kind::auth, "the token belongs to a deleted user or a disabled app"},
    known_error{"token_revoked", error_kind::auth, "the token was revoked — reinstall the app and update the token"},
    known_error{"token_expired", error_kind::auth, "the token expired — refresh it and update the environment"},
    known_error{"team_disabled", error_kind::auth, "the workspace is disabled"},
    known_error{"user_removed_from_team", error_kind::auth, "the app's user was removed from the workspace"},
    known_error{"missing_args", error_kind::auth, "no token was sent — set the app-level token (xapp-…)"},
    known_error{"forbidden_team", error_kind::auth, "the app token does not belong to this workspace"},
    // Permissions.
    known_error{"missing_scope", error_kind::forbidden,
                "the token lacks a scope this call needs (chat:write, connections:write) — add it in the app "
                "settings and reinstall"},
    known_error{"not_in_channel", error_kind::forbidden,
                "the bot is not a member of the channel — invite it (/invite @opsbot) or add chat:write.public"},
    known_error{"is_archived", error_kind::forbidden, "the channel is archived"},
    known_error{"restricted_action", error_kind::forbidden, "the workspace does not allow the bot to post here"},
    known_error{"restricted_action_read_only_channel", error_kind::forbidden, "the channel is read-only"},
    known_error{"restricted_action_thread_only_channel", error_kind::forbidden,
                "the channel only accepts replies in threads"},
    known_error{"cant_update_message", error_kind::forbidden,
                "only messages the bot posted itself can be updated (never ephemeral ones)"},
    known_error{"edit_window_closed", error_kind::forbidden, "the message is too old to be edited"},
    known_error{"no_permission", error_kind::forbidden, "the token may not do this in this workspace"},
    known_error{"user_not_in_channel", error_kind::forbidden,
                "an ephemeral message can only go to a user who is in the channel"},
    // Things that do not exist (any more).
    known_error{"channel_not_found", error_kind::not_found,
                "the channel does not exist or the bot cannot see it — check slack.ops_channel / invite the bot"},
    known_error{"message_not_found", error_kind::not_found, "no message with that ts in the channel"},
    known_error{"thread_not_found", error_kind::not_found, "no thread with that thread_ts in the channel"},
    known_error{"user_not_found", error_kind::not_found, "no such user"},
    known_error{"expired_url", error_kind::not_found,
                "the response_url expired (30 minutes) — post a message instead"},
    known_error{"used_url", error_kind::not_found, "the response_url was used up (5 times) — post a message instead"},
    // Slow down.
    known_error{"ratelimited", error_kind::rate_limited, "Slack asked the bot to slow down — retry later"},
    known_error{"rate_limited", error_kind::rate_limited, "Slack asked the bot to slow down — retry later"},
    known_error{"message_limit_exceeded", error_kind::rate_limited, "too many messages — retry later"},
    // The request itself was wrong: a bot bug, or input that slipped past the limits.
    known_error{"invalid_blocks", error_kind::invalid_input, "Slack rejected the Block Kit blocks"},
    known_error{"invalid_blocks_format", error_kind::invalid_input, "the blocks are not a JSON array of blocks"},
    known_error{"too_many_blocks", error_kind::invalid_input, "a message may hold at most 50 blocks"},
    known_error{"msg_too_long", error_kind::invalid_input, "the message text is too long"},
    known_error{"no_text", error_kind::invalid_input, "the message has neither text nor blocks"},
    known_error{"invalid_arguments", error_kind::invalid_input, "Slack rejected the arguments of the call"},
    known_error{"invalid_json", error_kind::invalid_input, "Slack could not parse the JSON body"},
    known_error{"json_not_object", error_kind::invalid_input, "the JSON body is not an object"},
    known_error{"invalid_payload", error_kind::invalid_input, "Slack rejected the message payload"},
    known_error{"invalid_charset", error_kind::invalid_input, "Slack rejected the body's charset"},
    known_error{"insecure_request", error_kind::invalid_input, "the call must be an HTTPS POST"},
    // Slack's side.
    known_error{"internal_error", error_kind::unavailable, "Slack had an internal error — retry later"},
    known_error{"fatal_error", error_kind::unavailable, "Slack had an internal error — retry later"},
    known_error{"service_unavailable", error_kind::unavailable, "Slack is unavailable — retry later"},
    known_error{"request_timeout", error_kind::timeout, "Slack timed out reading the request — retry"},
};

const known_error* find_known(std::string_view code) {
    auto it = std::find_if(known_errors.begin(), known_errors.end(),
                           [&](const known_error& e) { return e.code == code; });
    return it == known_errors.end() ? nullptr : &*it;
}

}  // namespace

std::string_view safe_slack_code(std::string_view code) {
    constexpr std::size_t max_code = 64;
    bool ok = !code.empty() && code.size() <= max_code && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
    return ok ? code : std::string_view("unrecognised_error");
}

error_kind slack_error_kind(std::string_view code) {
    const known_error* known = find_known(code);
    return known != nullptr ? known->kind : error_kind::http_status;
}

std::string describe_slack_error(std::string_view code) {
    std::string_view safe = safe_slack_code(code);
    if (const known_error* known = find_known(safe)) {
        return fmt::format("{}: {}", safe, known->advice);
    }
    return fmt::format("{}: Slack refused the request (see the method's documentation for this error)", safe);
}

}  // namespace opsbot::bot
