#include "bot/app.hpp"

#include "bot/slack/block_kit.hpp"
#include "bot/slash_command.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::bot {

app::app(const stack_config& config, web_api& slack, thread_pool& workers)
    : config_(config), slack_(slack), workers_(workers), router_(config) {}

boost::json::object reply_payload(const commands::reply& reply) {
    message msg = make_message(reply.text, boost::json::array{section(reply.text)});
    boost::json::object out;
    out["text"] = msg.text;
    out["blocks"] = msg.blocks;
    out["response_type"] = reply.in_channel ? "in_channel" : "ephemeral";
    return out;
}

std::optional<boost::json::object> app::ack_payload(const envelope& env) {
    if (env.type != "slash_commands") {
        return std::nullopt;
    }
    auto command = read_slash_command(env);
    if (!command) {
        spdlog::warn("slash command envelope {} lacks user_id/channel_id/command; acknowledged and ignored",
                     env.envelope_id);
        return std::nullopt;
    }
    commands::routed routed = router_.route(command->invocation);
    auto payload = reply_payload(routed.immediate);
    if (routed.needs_work) {
        routed_by_envelope_.emplace(env.envelope_id, std::move(routed));
    }
    return payload;
}

void app::on_envelope(envelope env) {
    if (env.type == "slash_commands") {
        auto node = routed_by_envelope_.extract(env.envelope_id);
        if (node.empty()) {
            return;  // answered completely in the ack
        }
        auto command = read_slash_command(env);
        std::string response_url = command ? command->response_url : std::string{};
        workers_.post([this, routed = std::move(node.mapped()), response_url = std::move(response_url)]() mutable {
            run_command(std::move(routed), std::move(response_url));
        });
        return;
    }
    if (env.type == "interactive") {
        spdlog::info("interactive envelope {} received; buttons arrive with the approvals feature", env.envelope_id);
        return;
    }
    spdlog::info("envelope {} of type '{}' acknowledged; nothing to do", env.envelope_id, env.type);
}

void app::run_command(commands::routed routed, std::string response_url) {
    commands::reply reply = router_.execute(routed);
    if (response_url.empty()) {
        spdlog::warn("command finished but the envelope had no response_url; reply not delivered");
        return;
    }
    message msg = make_message(reply.text, boost::json::array{section(reply.text)});
    auto sent = slack_.respond(response_url, msg,
                               reply.in_channel ? response_visibility::in_channel : response_visibility::ephemeral);
    if (!sent) {
        spdlog::error("could not deliver a command reply via response_url: {}", sent.error().message);
    }
}

}  // namespace opsbot::bot
