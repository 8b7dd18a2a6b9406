// Envelopes the simulator injects, in the shapes Slack sends (docs/slack.md §2.1-§2.3).
#include "sim/slack_sim_impl.hpp"

#include <boost/json.hpp>

namespace opsbot::sim {

namespace json = boost::json;

std::string slack_simulator::send_slash_command(const std::string& user_id, const std::string& channel_id,
                                                const std::string& command, const std::string& text,
                                                connection_id on) {
    return send_slash_commands(user_id, channel_id, command, text, 1, on).front();
}

std::vector<std::string> slack_simulator::send_slash_commands(const std::string& user_id,
                                                              const std::string& channel_id,
                                                              const std::string& command, const std::string& text,
                                                              size_t count, connection_id on) {
    std::vector<std::pair<std::string, std::string>> batch;
    batch.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        auto envelope_id = impl_->make_id("");
        batch.emplace_back(envelope_id, impl_->envelope_frame(envelope_id, "slash_commands",
                                                              impl_->slash_command_payload(user_id, channel_id,
                                                                                           command, text),
                                                              true));
    }
    return impl_->deliver(std::move(batch), on);
}

json::object slack_simulator::impl::slash_command_payload(const std::string& user_id, const std::string& channel_id,
                                                          const std::string& command, const std::string& text) {
    auto response_id = make_id("r");
    {
        std::lock_guard lock(mutex_);
        response_urls_[response_id] = {channel_id, user_id};
    }
    const auto& o = options_;
    // §2.1: slash command fields as JSON; is_enterprise_install is a *string* in real payloads.
    return json::object{{"token", "sim-verification-token"},
                         {"team_id", o.team_id},
                         {"team_domain", o.team_domain},
                         {"channel_id", channel_id},
                         {"channel_name", "sim-" + channel_id},
                         {"user_id", user_id},
                         {"user_name", "user-" + user_id},
                         {"command", command},
                         {"text", text},
                         {"api_app_id", o.app_id},
                         {"is_enterprise_install", "false"},
                         {"response_url", base_url() + "/response/" + response_id},
                         {"trigger_id", make_id("trigger.")}};
}

std::string slack_simulator::send_block_action(const std::string& user_id, const std::string& channel_id,
                                               const std::string& message_ts, const std::string& action_id,
                                               const std::string& value, connection_id on) {
    const auto& o = impl_->options_;
    json::object action{{"action_id", action_id},
                        {"block_id", ""},
                        {"text", {{"type", "plain_text"}, {"text", action_id}, {"emoji", true}}},
                        {"value", value},
                        {"type", "button"},
                        {"action_ts", impl_->make_ts()}};
    json::value message = nullptr;
    {
        std::lock_guard lock(impl_->mutex_);
        if (auto it = impl_->current_messages_.find(channel_id + "/" + message_ts); it != impl_->current_messages_.end()) {
            const auto& m = it->second;
            message = json::object{{"type", "message"}, {"subtype", "bot_message"}, {"text", m.text},
                                   {"ts", m.ts},        {"bot_id", o.bot_id},       {"blocks", m.blocks}};
            // The clicked button's block_id, text and style come from the message the bot posted.
            if (m.blocks.is_array()) {
                for (const auto& block : m.blocks.get_array()) {
                    const auto* elements = block.is_object() ? block.get_object().if_contains("elements") : nullptr;
                    if (elements == nullptr || !elements->is_array()) {
                        continue;
                    }
                    for (const auto& el : elements->get_array()) {
                        const auto* id = el.is_object() ? el.get_object().if_contains("action_id") : nullptr;
                        if (id != nullptr && id->is_string() && id->get_string() == action_id) {
                            if (const auto* b = block.get_object().if_contains("block_id")) {
                                action["block_id"] = *b;
                            }
                            for (const char* key : {"text", "style"}) {
                                if (const auto* v = el.get_object().if_contains(key)) {
                                    action[key] = *v;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    auto response_id = impl_->make_id("r");
    {
        std::lock_guard lock(impl_->mutex_);
        impl_->response_urls_[response_id] = {channel_id, user_id};
    }
    // §2.2: the shape of a real Approve/Reject click.
    json::object payload{
        {"type", "block_actions"},
        {"user", {{"id", user_id}, {"username", "user-" + user_id}, {"name", "user-" + user_id}, {"team_id", o.team_id}}},
        {"api_app_id", o.app_id},
        {"token", "sim-verification-token"},
        {"container", {{"type", "message"}, {"message_ts", message_ts}, {"channel_id", channel_id}, {"is_ephemeral", false}}},
        {"trigger_id", impl_->make_id("trigger.")},
        {"team", {{"id", o.team_id}, {"domain", o.team_domain}}},
        {"enterprise", nullptr},
        {"is_enterprise_install", false},
        {"channel", {{"id", channel_id}, {"name", "sim-" + channel_id}}},
        {"state", {{"values", json::object{}}}},
        {"response_url", base_url() + "/response/" + response_id},
        {"actions", json::array{action}}};
    if (!message.is_null()) {
        payload["message"] = message;
    }
    return send_envelope("interactive", std::move(payload), false, {}, on);
}

std::string slack_simulator::send_event(json::object event, std::string event_id, int retry_attempt, connection_id on) {
    const auto& o = impl_->options_;
    if (event_id.empty()) {
        event_id = "Ev" + impl_->make_id("").substr(0, 8);
    }
    auto envelope_id = impl_->make_id("");
    // §2.3: events_api envelopes carry retry_attempt / retry_reason.
    json::object env{{"envelope_id", envelope_id},
                     {"type", "events_api"},
                     {"accepts_response_payload", false},
                     {"retry_attempt", retry_attempt},
                     {"retry_reason", retry_attempt > 0 ? "timeout" : ""},
                     {"payload", {{"token", "sim-verification-token"},
                                  {"team_id", o.team_id},
                                  {"api_app_id", o.app_id},
                                  {"event", event},
                                  {"type", "event_callback"},
                                  {"event_id", event_id},
                                  {"event_time", std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count()}}}};
    auto delivered = impl_->deliver({{envelope_id, json::serialize(env)}}, on).front();
    // §1.5: not acked in time, Slack sends the event again (to whichever link is live), same event_id.
    impl_->on_ack_deadline(envelope_id, retry_attempt, [this, event = std::move(event), event_id, retry_attempt] {
        send_event(event, event_id, retry_attempt + 1, newest_connection);
    });
    return delivered;
}

}  // namespace opsbot::sim
