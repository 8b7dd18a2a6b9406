#pragma once

#include "bot/action_flow.hpp"
#include "bot/home_tab.hpp"
#include "bot/incident_notifier.hpp"
#include "bot/slack/envelope.hpp"
#include "bot/slack/socket_mode_frames.hpp"
#include "bot/slack/web_api.hpp"
#include "bot/slash_command.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/grammar/router.hpp"
#include "config/config.hpp"
#include "core/thread_pool.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace opsbot::bot {

/// The bot's behaviour between the Socket Mode client and the command layer: answers what can be
/// answered in the ack, and runs the rest on two pools (docs/design.md "Runtime model"): answers, plan building and
/// clicks on `requests`; what runs an action (an Approve click, which may start it, and a break-glass request) on
/// `executions`, so a long execution never holds up an answer.
class app {
public:
    /// `home`: the App Home tab, published when a user opens it (null: `app_home_opened` is acked and ignored).
    app(const commands::command_context& context, const commands::family_set& families, web_api& slack,
        thread_pool& requests, thread_pool& executions, action_flow& flow, home_tab* home = nullptr);

    /// On the I/O thread, before the ack is written: parse and authorise (pure, microseconds) and return
    /// the immediate response for slash commands (none for routed work: its notice follows via response_url,
    /// ahead of its answer). Never does I/O.
    shared_json ack_payload(const envelope& env);

    /// On the I/O thread, after the ack: hands follow-up work to a pool and returns.
    void on_envelope(envelope env);

    /// Forgets the envelope ids older than seen_envelope_ttl (the runtime's sweep calls it now and then).
    void forget_old_envelopes();

    /// Envelopes handed on so far (for the demo and tests, which wait for the bot to settle).
    uint64_t envelopes_handled() const;
    bool wait_handled(uint64_t count, std::chrono::milliseconds timeout) const;

private:
    /// The restart-surviving half of the dedupe (storage/seen_envelopes): false when one of the delivery's keys was
    /// recorded before, by this process or an earlier one. On a worker, after the ack: never on the ack's path.
    bool first_delivery(const std::vector<std::string>& keys, const std::string& envelope_id);
    /// The "Working on …" notice of routed work, through response_url; returns once Slack took it.
    void post_notice(const commands::routed& routed, const std::string& response_url);
    void run_command(const commands::routed& routed, const std::string& response_url);
    void audit_refusal(const commands::invocation& inv, const commands::reply& reply);
    void count_handled();
    /// An events_api envelope: `app_home_opened` on the Home tab publishes it (the I/O thread only hands it on).
    void on_event(const envelope& env);

    commands::command_context context_;
    const commands::family_set& families_;
    web_api& slack_;
    thread_pool& requests_;
    thread_pool& executions_;
    action_flow& flow_;
    home_tab* home_;
    incident_notifier incidents_;
    commands::command_router router_;
    // Slash commands between their ack and on_envelope, parsed and routed once; touched only on the I/O thread.
    struct pending_command {
        slash_command command;
        commands::routed routed;
    };
    std::unordered_map<std::string, pending_command> pending_by_envelope_;
    /// Serialized payloads of replies that depend only on the config (help), by routed.constant_key; I/O thread only.
    std::unordered_map<std::string, shared_json> constant_payloads_;
    mutable std::mutex handled_mutex_;
    mutable std::condition_variable handled_changed_;
    uint64_t handled_ = 0;
};

/// How long envelope ids stay in the database: Slack redelivers an unacknowledged envelope within seconds and retries
/// an event for minutes (docs/slack.md §1.5); an hour outlasts both and a restart, and keeps the table small.
inline constexpr std::chrono::hours seen_envelope_ttl{1};

/// A command reply as a Slack response payload: fallback text, one section block, response_type.
boost::json::object reply_payload(const commands::reply& reply);

}  // namespace opsbot::bot
