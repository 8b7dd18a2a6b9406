#include "bot/slash_command.hpp"

namespace opsbot::bot {
namespace {

std::optional<std::string> string_field(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string(v->get_string());
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
    out.invocation.user = user_id(*user);
    out.invocation.channel = channel_id(*channel);
    out.invocation.command = *command;
    // `text` is everything after the command; absent means empty (docs/slack.md §2.1).
    out.invocation.text = string_field(env.payload, "text").value_or("");
    out.response_url = string_field(env.payload, "response_url").value_or("");
    return out;
}

}  // namespace opsbot::bot
