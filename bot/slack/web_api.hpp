#pragma once

#include "adapters/http_client.hpp"
#include "bot/slack/message.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace opsbot::bot {

struct posted_message {
    std::string channel;
    std::string ts;
};

enum class response_visibility { ephemeral, in_channel };

/// Slack Web API calls the bot makes (docs/slack.md §3). Blocking; call from worker threads.
/// `{ok:false}` becomes an error with a clear message; 429 waits for Retry-After (via the http client).
class web_api {
public:
    web_api(adapters::http_client& http, std::string api_url, std::string bot_token, std::string app_token);

    /// apps.connections.open with the app-level token: a fresh wss:// URL.
    result<std::string> open_connection();
    result<posted_message> post_message(const std::string& channel, const message& msg, const std::string& thread_ts = {});
    result<void> update_message(const std::string& channel, const std::string& ts, const message& msg);
    result<void> post_ephemeral(const std::string& channel, const std::string& user, const message& msg);
    /// POST to a response_url from a slash command or a click (no token; up to 5 times in 30 minutes).
    result<void> respond(const std::string& response_url, const message& msg, response_visibility visibility,
                         bool replace_original = false);
    /// views.publish: `view` ({"type":"home","blocks":[…]}) becomes `user`'s App Home tab (issue 15 item 5).
    result<void> publish_view(const std::string& user, const boost::json::object& view);

private:
    result<boost::json::object> call(const std::string& method, const boost::json::object& body, const std::string& token);

    adapters::http_client& http_;
    std::string api_url_;
    std::string bot_token_;
    std::string app_token_;
};

/// Maps Slack error codes (`channel_not_found`, `not_in_channel`, `invalid_auth`…) to advice for the operator.
std::string describe_slack_error(std::string_view code);

}  // namespace opsbot::bot
