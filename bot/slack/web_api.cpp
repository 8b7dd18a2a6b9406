// The Slack Web API calls of the bot: chat.*, response_url, apps.connections.open (docs/slack.md §1.1, §3).
#include "bot/slack/web_api.hpp"

#include "bot/slack/web_api_errors.hpp"
#include "core/redactor.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <initializer_list>

namespace opsbot::bot {
namespace {

namespace json = boost::json;

// §3: JSON bodies need the token in the Authorization header, and a charset (else `warning: missing_charset`).
constexpr std::string_view json_content_type = "application/json; charset=utf-8";
// §1.1: apps.connections.open is a POST with an empty form body (a charset here would be `superfluous_charset`).
constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";

/// Error text never carries a credential: the secrets we hold are removed, then anything token-shaped.
std::string scrub(std::string text, std::initializer_list<std::string_view> secrets) {
    for (auto secret : secrets) {
        if (secret.size() < 4) {
            continue;
        }
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
            text.replace(pos, secret.size(), "[redacted]");
        }
    }
    return redact_token_shapes(text);
}

std::optional<std::chrono::milliseconds> parse_retry_after(const adapters::http_response& response) {
    auto value = response.header("Retry-After");
    if (!value) {
        return std::nullopt;
    }
    long long seconds = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
    if (ec != std::errc{} || end != value->data() + value->size() || seconds < 0) {
        return std::nullopt;
    }
    return std::chrono::seconds(seconds);
}

std::optional<json::object> parse_object(std::string_view body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    return std::move(value.get_object());
}

// §3: successes may carry "warning" (comma-separated) and response_metadata.warnings / messages; log them all.
void log_warnings(std::string_view method, const json::object& reply) {
    if (auto* warning = reply.if_contains("warning"); warning != nullptr && warning->is_string()) {
        spdlog::warn("Slack {}: warning {}", method, redact_token_shapes(warning->get_string()));
    }
    auto* metadata = reply.if_contains("response_metadata");
    if (metadata == nullptr || !metadata->is_object()) {
        return;
    }
    for (auto key : {"warnings", "messages"}) {
        auto* list = metadata->get_object().if_contains(key);
        if (list == nullptr || !list->is_array()) {
            continue;
        }
        for (const auto& item : list->get_array()) {
            if (item.is_string()) {
                spdlog::warn("Slack {}: {} {}", method, key, redact_token_shapes(item.get_string()));
            }
        }
    }
}

std::unexpected<error> slack_failure(std::string_view method, std::string_view code, int status,
                                     std::optional<std::chrono::milliseconds> retry_after) {
    error e{slack_error_kind(safe_slack_code(code)),
            fmt::format("Slack {} failed: {}", method, describe_slack_error(code)), status, std::nullopt};
    if (status == 429) {
        e.kind = error_kind::rate_limited;
    }
    if (e.kind == error_kind::rate_limited) {
        e.retry_after = retry_after;
    }
    return std::unexpected(std::move(e));
}

/// Turns what the http client returned for a Web API call into the reply object or a clear error.
result<json::object> read_reply(std::string_view method, result<adapters::http_response> sent,
                                std::initializer_list<std::string_view> secrets) {
    if (!sent) {
        error e = std::move(sent.error());
        e.message = scrub(fmt::format("Slack {}: {}", method, e.message), secrets);
        return std::unexpected(std::move(e));
    }
    const adapters::http_response& response = *sent;
    auto retry_after = parse_retry_after(response);
    auto reply = parse_object(response.body);
    if (!reply) {
        if (response.status == 429) {
            return slack_failure(method, "ratelimited", response.status, retry_after);
        }
        if (response.status != 200) {
            return fail(error_kind::http_status, fmt::format("Slack {}: HTTP {}", method, response.status),
                        response.status);
        }
        return fail(error_kind::bad_response, fmt::format("Slack {}: the reply is not a JSON object", method),
                    response.status);
    }
    log_warnings(method, *reply);
    auto* ok = reply->if_contains("ok");
    if (ok == nullptr || !ok->is_bool()) {
        return fail(error_kind::bad_response, fmt::format("Slack {}: the reply has no \"ok\" field", method),
                    response.status);
    }
    if (!ok->get_bool()) {
        auto* code = reply->if_contains("error");
        return slack_failure(method, code != nullptr && code->is_string() ? std::string_view(code->get_string()) : "",
                             response.status, retry_after);
    }
    return std::move(*reply);
}

result<std::string> string_field(std::string_view method, const json::object& reply, std::string_view key) {
    auto* value = reply.if_contains(key);
    if (value == nullptr || !value->is_string() || value->get_string().empty()) {
        return fail(error_kind::bad_response, fmt::format("Slack {}: the reply has no \"{}\"", method, key));
    }
    return std::string(value->get_string());
}

json::object message_body(const message& msg) {
    json::object body{{"text", msg.text}};
    if (!msg.blocks.empty()) {
        body["blocks"] = msg.blocks;
    }
    return body;
}

}  // namespace

web_api::web_api(adapters::http_client& http, std::string api_url, std::string bot_token, std::string app_token)
    : http_(http), api_url_(std::move(api_url)), bot_token_(std::move(bot_token)), app_token_(std::move(app_token)) {}

result<json::object> web_api::call(const std::string& method, const json::object& body, const std::string& token) {
    if (token.empty()) {
        return fail(error_kind::auth, fmt::format("Slack {}: no bot token configured (slack.bot_token_env)", method));
    }
    adapters::http_request request;
    request.method = "POST";
    request.url = adapters::join_url(api_url_, method);
    request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", std::string(json_content_type)}};
    request.body = json::serialize(body);
    // Sent again after a 5xx or a lost answer: chat.update and views.publish set the same content again, and for
    // chat.post* a message posted twice is the lesser harm than an incident notice lost (@slack/web-api retries
    // these calls the same way).
    request.idempotent = true;
    return read_reply(method, http_.send(request), {bot_token_, app_token_});
}

result<std::string> web_api::open_connection() {
    constexpr std::string_view method = "apps.connections.open";
    if (app_token_.empty()) {
        return fail(error_kind::auth,
                    fmt::format("Slack {}: no app-level token configured (slack.app_token_env)", method));
    }
    // §1.1: the app token must travel in the header ("passing it as a POST parameter will result in an error").
    adapters::http_request request;
    request.method = "POST";
    request.url = adapters::join_url(api_url_, method);
    request.headers = {{"Authorization", "Bearer " + app_token_}, {"Content-Type", std::string(form_content_type)}};
    request.idempotent = true;  // it only hands out a WebSocket URL; an unused one expires
    auto reply = read_reply(method, http_.send(request), {bot_token_, app_token_});
    if (!reply) {
        return std::unexpected(std::move(reply.error()));
    }
    auto url = string_field(method, *reply, "url");
    if (!url) {
        return url;
    }
    if (!url->starts_with("wss://") && !url->starts_with("ws://")) {
        // The URL carries a connection ticket: keep it out of the message.
        return fail(error_kind::bad_response, fmt::format("Slack {}: the url is not a WebSocket URL", method));
    }
    return url;
}

result<posted_message> web_api::post_message(const std::string& channel, const message& msg,
                                             const std::string& thread_ts) {
    json::object body = message_body(msg);
    body["channel"] = channel;
    if (!thread_ts.empty()) {
        body["thread_ts"] = thread_ts;
    }
    auto reply = call("chat.postMessage", body, bot_token_);
    if (!reply) {
        return std::unexpected(std::move(reply.error()));
    }
    auto ts = string_field("chat.postMessage", *reply, "ts");
    if (!ts) {
        return std::unexpected(std::move(ts.error()));
    }
    auto posted_channel = string_field("chat.postMessage", *reply, "channel");
    return posted_message{posted_channel ? *posted_channel : channel, *ts};
}

result<void> web_api::update_message(const std::string& channel, const std::string& ts, const message& msg) {
    json::object body = message_body(msg);
    body["channel"] = channel;
    body["ts"] = ts;
    // An update without "blocks" keeps the old ones (and their buttons): send an empty array to clear them.
    body["blocks"] = msg.blocks;
    auto reply = call("chat.update", body, bot_token_);
    if (!reply) {
        return std::unexpected(std::move(reply.error()));
    }
    return {};
}

result<void> web_api::post_ephemeral(const std::string& channel, const std::string& user, const message& msg) {
    json::object body = message_body(msg);
    body["channel"] = channel;
    body["user"] = user;
    auto reply = call("chat.postEphemeral", body, bot_token_);
    if (!reply) {
        return std::unexpected(std::move(reply.error()));
    }
    return {};
}

result<void> web_api::publish_view(const std::string& user, const json::object& view) {
    // views.publish takes user_id and the view; in a JSON body the view is an object (api-specs/slack.json
    // /views.publish: "view" is a JSON-encoded string only in form bodies).
    json::object body{{"user_id", user}, {"view", view}};
    auto reply = call("views.publish", body, bot_token_);
    if (!reply) {
        return std::unexpected(std::move(reply.error()));
    }
    return {};
}

result<void> web_api::respond(const std::string& response_url, const message& msg, response_visibility visibility,
                              bool replace_original) {
    constexpr std::string_view what = "response_url";
    // §3: the response_url takes JSON without a token; it is itself a credential, so it stays out of messages.
    json::object body = message_body(msg);
    body["response_type"] = visibility == response_visibility::in_channel ? "in_channel" : "ephemeral";
    body["replace_original"] = replace_original;
    adapters::http_request request;
    request.method = "POST";
    request.url = response_url;
    request.headers = {{"Content-Type", std::string(json_content_type)}};
    request.body = json::serialize(body);
    request.idempotent = true;  // as call(): an answer shown twice is better than none
    auto sent = http_.send(request);
    if (!sent) {
        error e = std::move(sent.error());
        e.message = scrub(fmt::format("Slack {}: {}", what, e.message), {response_url, bot_token_, app_token_});
        return std::unexpected(std::move(e));
    }
    // The response_url answers a plain "ok" or {"ok":true}; failures come as a status and a code, in text or JSON.
    std::string_view text = sent->body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    if (sent->status == 200 && text == "ok") {
        return {};
    }
    if (parse_object(text)) {
        auto result = read_reply(what, std::move(sent), {response_url, bot_token_, app_token_});
        if (!result) {
            return std::unexpected(std::move(result.error()));
        }
        return {};
    }
    if (sent->status == 429) {
        return slack_failure(what, "ratelimited", sent->status, parse_retry_after(*sent));
    }
    if (sent->status != 200 && safe_slack_code(text) == text) {
        return slack_failure(what, text, sent->status, std::nullopt);
    }
    return fail(sent->status == 200 ? error_kind::bad_response : error_kind::http_status,
                fmt::format("Slack {}: unexpected answer (HTTP {})", what, sent->status), sent->status);
}

}  // namespace opsbot::bot
