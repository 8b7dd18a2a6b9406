#include "bot/slash_command.hpp"

namespace opsbot::bot {
namespace {

/// A string field as it stands in the payload (copied once, where it is kept).
std::optional<std::string_view> string_field(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string_view(v->get_string());
}

}  // namespace

std::optional<slash_command> read_slash_command(const envelope& env) {
    auto user = string_field(env.payload, "user_id");
    auto channel = string_field(env.payload, "channel_id");
    auto command = string_field(env.payload, "command");
    if (!user || !channel || !command || user->empty() || command->empty()) {
        return std::nullopt;
    }
    slash_command out;
    out.invocation.user = user_id(std::string(*user));
    out.invocation.channel = channel_id(std::string(*channel));
    out.invocation.command = *command;
    // `text` is everything after the command; absent means empty (docs/slack.md §2.1).
    out.invocation.text = string_field(env.payload, "text").value_or("");
    out.response_url = string_field(env.payload, "response_url").value_or("");
    return out;
}

}  // namespace opsbot::bot
