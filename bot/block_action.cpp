#include "bot/block_action.hpp"
#include "core/json_fields.hpp"

namespace opsbot::bot {
namespace {


const boost::json::object* object_at(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

}  // namespace

std::optional<block_action> read_block_action(const envelope& env) {
    const auto& p = env.payload;
    if (json_string(p, "type") != "block_actions") {
        return std::nullopt;
    }
    block_action out;
    if (const auto* user = object_at(p, "user")) {
        out.user = json_string(*user, "id");
    }
    if (const auto* channel = object_at(p, "channel")) {
        out.channel = json_string(*channel, "id");
    }
    if (const auto* container = object_at(p, "container")) {
        out.message_ts = json_string(*container, "message_ts");
        if (out.channel.empty()) {
            out.channel = json_string(*container, "channel_id");
        }
        if (json_string(*container, "type") == "view") {
            out.view_id = json_string(*container, "view_id");
        }
    }
    const auto* actions = p.if_contains("actions");
    if (actions == nullptr || !actions->is_array() || actions->get_array().empty() ||
        !actions->get_array()[0].is_object()) {
        return std::nullopt;
    }
    const auto& first = actions->get_array()[0].get_object();
    out.action_id = json_string(first, "action_id");
    out.value = json_string(first, "value");
    out.response_url = json_string(p, "response_url");
    if (out.user.empty() || (out.channel.empty() && out.view_id.empty()) || out.action_id.empty()) {
        return std::nullopt;
    }
    return out;
}

}  // namespace opsbot::bot
