#pragma once

#include "bot/slack/envelope.hpp"
#include "bot/slack/web_api.hpp"
#include "commands/router.hpp"
#include "core/config.hpp"
#include "core/thread_pool.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace opsbot::bot {

/// The bot's behaviour between the Socket Mode client and the command layer:
/// answers what can be answered in the ack, and runs the rest on the worker pool.
class app {
public:
    app(const stack_config& config, web_api& slack, thread_pool& workers);

    /// On the I/O thread, before the ack is written: parse and authorise (pure, microseconds) and
    /// return the immediate response for slash commands. Never does I/O.
    std::optional<boost::json::object> ack_payload(const envelope& env);

    /// On the I/O thread, after the ack: hands follow-up work to the worker pool and returns.
    void on_envelope(envelope env);

private:
    void run_command(commands::routed routed, std::string response_url);

    const stack_config& config_;
    web_api& slack_;
    thread_pool& workers_;
    commands::command_router router_;
    // Routed commands waiting for their ack to be written; touched only on the I/O thread.
    std::unordered_map<std::string, commands::routed> routed_by_envelope_;
};

/// A command reply as a Slack response payload: fallback text, one section block, response_type.
boost::json::object reply_payload(const commands::reply& reply);

}  // namespace opsbot::bot
