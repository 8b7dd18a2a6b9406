// The simulator's Web API (apps.connections.open, chat.*, auth.test) and response_url endpoints
// (docs/slack.md §1.1, §3).
#include "sim/slack_sim_impl.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace opsbot::sim {
namespace {

namespace json = boost::json;

http_reply json_reply(int status, const json::object& body) {
    return http_reply{status, {{"Content-Type", "application/json; charset=utf-8"}}, json::serialize(body)};
}

std::string header(const std::map<std::string, std::string>& headers, const std::string& name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
}

/// JSON bodies (what opsbot sends) and form bodies (what other SDKs send, blocks as a JSON string) (§3).
std::optional<json::object> parse_body(const std::map<std::string, std::string>& headers, const std::string& body) {
    if (body.empty()) {
        return json::object{};
    }
    if (header(headers, "content-type").starts_with("application/json")) {
        boost::system::error_code ec;
        auto value = json::parse(body, ec);
        if (ec || !value.is_object()) {
            return std::nullopt;
        }
        return value.get_object();
    }
    // Form encoding writes spaces as '+'; make them %20 so the decoder below sees standard escapes.
    std::string form = body;
    for (size_t pos = form.find('+'); pos != std::string::npos; pos = form.find('+', pos)) {
        form.replace(pos, 1, "%20");
    }
    auto params = boost::urls::parse_query(form);
    if (!params) {
        return std::nullopt;
    }
    json::object out;
    for (auto param : *params) {
        auto key_view = *param.key;
        auto value_view = *param.value;
        std::string key(key_view.begin(), key_view.end());
        std::string value(value_view.begin(), value_view.end());
        if (key == "blocks") {
            boost::system::error_code ec;
            auto parsed = json::parse(value, ec);
            out[key] = ec ? json::value(value) : parsed;
        } else {
            out[key] = value;
        }
    }
    return out;
}

std::string string_at(const json::object& obj, std::string_view key) {
    if (const auto* v = obj.if_contains(key); v != nullptr && v->is_string()) {
        return std::string(v->get_string());
    }
    return {};
}

recorded_message message_from(std::string kind, const json::object& body) {
    recorded_message m;
    m.kind = std::move(kind);
    m.channel = string_at(body, "channel");
    m.thread_ts = string_at(body, "thread_ts");
    m.user = string_at(body, "user");
    m.text = string_at(body, "text");
    if (const auto* blocks = body.if_contains("blocks")) {
        m.blocks = *blocks;
    }
    m.body = body;
    return m;
}

}  // namespace

void slack_simulator::impl::record_message(recorded_message message) {
    std::function<void(const recorded_message&)> observer;
    {
        std::lock_guard lock(mutex_);
        if (message.kind == "chat.postMessage" || message.kind == "chat.update") {
            current_messages_[message.channel + "/" + message.ts] = message;
        }
        messages_.push_back(message);
        observer = observer_;
        changed();
    }
    if (observer) {
        try {
            observer(message);
        } catch (const std::exception& e) {
            spdlog::error("slack sim: on_message observer threw: {}", e.what());
        }
    }
}

http_reply slack_simulator::impl::handle_http(const std::string& method, const std::string& target,
                                              const std::map<std::string, std::string>& headers,
                                              const std::string& body) {
    std::string path = target.substr(0, target.find('?'));
    if (path.starts_with("/api/")) {
        if (method != "POST" && method != "GET") {
            return json_reply(405, {{"ok", false}, {"error", "method_not_supported_for_channel_type"}});
        }
        return handle_api(path.substr(5), headers, body);
    }
    if (path.starts_with("/response/") && method == "POST") {
        return handle_response_url(path.substr(10), body);
    }
    return http_reply{404, {{"Content-Type", "text/plain"}}, "not found\n"};
}

http_reply slack_simulator::impl::handle_api(const std::string& method, const std::map<std::string, std::string>& headers,
                                             const std::string& body) {
    static const std::set<std::string> known{"apps.connections.open", "chat.postMessage", "chat.update",
                                             "chat.postEphemeral", "auth.test", "views.publish"};
    auto finish = [&](int status, json::object reply, std::vector<std::pair<std::string, std::string>> extra = {}) {
        std::string error = reply.contains("error") ? string_at(reply, "error") : "";
        {
            std::lock_guard lock(mutex_);
            calls_.push_back(api_call{method, std::chrono::system_clock::now(), status, error});
            changed();
        }
        auto r = json_reply(status, reply);
        r.headers.insert(r.headers.end(), extra.begin(), extra.end());
        return r;
    };
    if (!known.contains(method)) {
        return finish(200, {{"ok", false}, {"error", "unknown_method"}});
    }
    if (method == "apps.connections.open") {
        int retry_after = 0;
        {
            std::lock_guard lock(mutex_);
            if (rate_limit_remaining_ > 0) {
                --rate_limit_remaining_;
                retry_after = retry_after_seconds_;
            }
        }
        // §1.1: Tier 1; HTTP 429 with Retry-After.
        if (retry_after > 0) {
            return finish(429, {{"ok", false}, {"error", "ratelimited"}}, {{"Retry-After", std::to_string(retry_after)}});
        }
    }
    // §1.1, §3: the token is in the Authorization header; the app token opens links, the bot token does the rest.
    const std::string& expected = method == "apps.connections.open" ? options_.app_token : options_.bot_token;
    auto authorization = header(headers, "authorization");
    if (authorization.empty()) {
        return finish(200, {{"ok", false}, {"error", "not_authed"}});
    }
    if (authorization != "Bearer " + expected) {
        return finish(200, {{"ok", false}, {"error", "invalid_auth"}});
    }
    if (method == "apps.connections.open") {
        auto ticket = make_id("");
        {
            std::lock_guard lock(mutex_);
            tickets_[ticket] = false;
        }
        auto url = fmt::format("ws://127.0.0.1:{}/link/?ticket={}&app_id={}", port_, ticket, options_.app_id);
        return finish(200, {{"ok", true}, {"url", url}});
    }
    if (method == "auth.test") {
        return finish(200, {{"ok", true},
                            {"url", fmt::format("https://{}.slack.com/", options_.team_domain)},
                            {"team", options_.team_domain},
                            {"user", "opsbot"},
                            {"team_id", options_.team_id},
                            {"user_id", options_.bot_user_id},
                            {"bot_id", options_.bot_id},
                            {"is_enterprise_install", false}});
    }
    auto parsed = parse_body(headers, body);
    if (!parsed) {
        return finish(200, {{"ok", false}, {"error", "invalid_json"}});
    }
    if (method == "views.publish") {
        return finish(200, publish_view(*parsed));
    }
    auto message = message_from(method, *parsed);
    if (message.channel.empty()) {
        return finish(200, {{"ok", false}, {"error", "channel_not_found"}});
    }
    // Slack's own refusals of a chat.* call (slack_sim_failures.cpp): nothing is posted.
    if (auto refused = refuse_chat(method, *parsed)) {
        boost::system::error_code ec;
        auto reply = json::parse(refused->body, ec);
        std::lock_guard lock(mutex_);
        calls_.push_back(api_call{method, std::chrono::system_clock::now(), refused->status,
                                  ec || !reply.is_object() ? std::string{} : string_at(reply.as_object(), "error")});
        changed();
        return *refused;
    }
    if (message.text.empty() && message.blocks.is_null()) {
        return finish(200, {{"ok", false}, {"error", "no_text"}});
    }
    if (method == "chat.postMessage") {
        std::string injected;
        {
            std::lock_guard lock(mutex_);
            if (auto it = post_failures_.find(message.channel); it != post_failures_.end() && it->second.first > 0) {
                --it->second.first;
                injected = it->second.second;
            }
        }
        if (!injected.empty()) {
            return finish(200, {{"ok", false}, {"error", injected}});
        }
        message.ts = make_ts();
        json::object reply{{"ok", true},
                           {"channel", message.channel},
                           {"ts", message.ts},
                           {"message", {{"type", "message"}, {"subtype", "bot_message"}, {"text", message.text},
                                        {"ts", message.ts}, {"bot_id", options_.bot_id}, {"blocks", message.blocks}}}};
        record_message(std::move(message));
        return finish(200, std::move(reply));
    }
    if (method == "chat.update") {
        message.ts = string_at(*parsed, "ts");
        bool exists = false;
        {
            std::lock_guard lock(mutex_);
            exists = current_messages_.contains(message.channel + "/" + message.ts);
        }
        if (!exists) {
            return finish(200, {{"ok", false}, {"error", "message_not_found"}});
        }
        json::object reply{{"ok", true}, {"channel", message.channel}, {"ts", message.ts}, {"text", message.text}};
        record_message(std::move(message));
        return finish(200, std::move(reply));
    }
    // chat.postEphemeral: channel + user (§3).
    if (message.user.empty()) {
        return finish(200, {{"ok", false}, {"error", "user_not_in_channel"}});
    }
    message.ts = make_ts();
    json::object reply{{"ok", true}, {"message_ts", message.ts}};
    record_message(std::move(message));
    return finish(200, std::move(reply));
}

http_reply slack_simulator::impl::handle_response_url(const std::string& id, const std::string& body) {
    std::pair<std::string, std::string> where;
    {
        std::lock_guard lock(mutex_);
        auto it = response_urls_.find(id);
        if (it == response_urls_.end()) {
            return http_reply{404, {{"Content-Type", "text/plain"}}, "no such response_url\n"};
        }
        where = it->second;
    }
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return http_reply{400, {{"Content-Type", "text/plain"}}, "invalid_payload\n"};
    }
    auto message = message_from("response_url", value.get_object());
    message.channel = where.first;
    message.user = where.second;
    message.response_id = id;
    record_message(std::move(message));
    return json_reply(200, {{"ok", true}});
}

}  // namespace opsbot::sim
