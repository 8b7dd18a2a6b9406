#include "bot/app.hpp"

#include "bot/block_action.hpp"
#include "bot/plan_message.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/socket_mode_frames.hpp"
#include "bot/slash_command.hpp"
#include "core/json_fields.hpp"
#include "core/log_context.hpp"
#include "storage/audit_log.hpp"
#include "storage/seen_envelopes.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace opsbot::bot {
namespace {

message reply_message(const commands::reply& reply) { return text_message(reply.text); }

/// A request that runs its action at once, on the thread that handles it (`--break-glass "<reason>"`).
bool runs_at_once(const commands::routed& routed) {
    return routed.needs_work && !routed.immediate.is_error && routed.parsed.flags.contains("break-glass");
}

}  // namespace

app::app(const commands::command_context& context, const commands::family_set& families, web_api& slack,
         thread_pool& requests, thread_pool& executions, action_flow& flow, home_tab* home)
    : context_(context),
      families_(families),
      slack_(slack),
      requests_(requests),
      executions_(executions),
      flow_(flow),
      home_(home),
      incidents_(slack, context.config.slack.incident_channel),
      router_(context.config, families) {}

boost::json::object reply_payload(const commands::reply& reply) {
    message msg = reply_message(reply);
    boost::json::object out;
    out["text"] = msg.text;
    out["blocks"] = msg.blocks;
    out["response_type"] = reply.in_channel ? "in_channel" : "ephemeral";
    return out;
}

shared_json app::ack_payload(const envelope& env) {
    if (env.type != "slash_commands") {
        return nullptr;
    }
    auto command = read_slash_command(env);
    if (!command) {
        spdlog::warn("slash command envelope {} lacks user_id/channel_id/command; acknowledged and ignored",
                     env.envelope_id);
        return nullptr;
    }
    // Help is the same for everyone and is asked for in bursts: rendered and serialized once per help text, and
    // answered from that without routing again.
    if (auto key = router_.constant_key(command->invocation); !key.empty()) {
        if (auto it = constant_payloads_.find(key); it != constant_payloads_.end()) {
            return it->second;
        }
    }
    commands::routed routed = router_.route(command->invocation);
    const auto serialized = [](const commands::reply& reply) {
        return std::make_shared<const std::string>(ascii_json(boost::json::serialize(reply_payload(reply))));
    };
    // Work that answers later through response_url acks with no payload: its "Working on …" notice goes through
    // response_url too, before the answer (run_command). Slack reads the ack and the response_url posts on
    // separate paths, so a notice in the ack could show after a fast answer (issue 15 item 7).
    if (routed.needs_work && !routed.immediate.is_error) {
        pending_by_envelope_.emplace(env.envelope_id, pending_command{std::move(*command), std::move(routed)});
        return nullptr;
    }
    shared_json payload;
    if (!routed.constant_key.empty()) {
        auto it = constant_payloads_.find(routed.constant_key);
        if (it == constant_payloads_.end()) {
            it = constant_payloads_.emplace(routed.constant_key, serialized(routed.immediate)).first;
        }
        payload = it->second;
    } else {
        payload = serialized(routed.immediate);
    }
    // Kept for on_envelope only when something follows the ack (a refusal to audit).
    if (routed.immediate.is_error) {
        pending_by_envelope_.emplace(env.envelope_id, pending_command{std::move(*command), std::move(routed)});
    }
    return payload;
}

void app::on_envelope(envelope env) {
    // A delivery's keys are checked against the database on the worker, never here: the ack is already written, and
    // the I/O thread does no I/O (the Socket Mode client's in-memory dedupe caught duplicates within this process).
    if (env.type == "slash_commands") {
        // An answer given in full by the ack (help) left nothing pending: waking a worker per envelope would cost a
        // thread switch on the I/O path for nothing.
        if (auto node = pending_by_envelope_.extract(env.envelope_id); !node.empty()) {
            thread_pool& pool = runs_at_once(node.mapped().routed) ? executions_ : requests_;
            pool.post([this, pending = std::move(node.mapped()), id = env.envelope_id, keys = dedupe_keys(env)] {
                const scoped_log_context context(envelope_context(id));
                if (!first_delivery(keys, id)) {
                    return;
                }
                if (pending.routed.immediate.is_error) {
                    audit_refusal(pending.command.invocation, pending.routed.immediate);
                } else if (pending.routed.needs_work) {
                    post_notice(pending.routed, pending.command.response_url);
                    run_command(pending.routed, pending.command.response_url);
                }
            });
        }
    } else if (env.type == "interactive") {
        if (auto click = read_block_action(env)) {
            // Deny, Cancel and Stop answer at once, whatever is running; the Approve click that may start the action
            // it approves runs it on its thread (bot/action_flow.cpp), as does a break-glass acknowledgement.
            bool on_executions = click->action_id == approve_button;
            bool break_glass_ack = click->action_id == ack_break_glass_button;
            thread_pool& pool = on_executions ? executions_ : requests_;
            pool.post([this, click = std::move(*click), id = env.envelope_id, keys = dedupe_keys(env), break_glass_ack] {
                const scoped_log_context context(envelope_context(id));
                if (!first_delivery(keys, id)) {
                    return;
                }
                if (break_glass_ack) {
                    flow_.on_break_glass_ack(click);
                } else {
                    flow_.on_click(click);
                }
            });
        } else {
            spdlog::info("interactive envelope {} is not a button click I know; acknowledged", env.envelope_id);
        }
    } else if (env.type == "events_api") {
        on_event(env);
    } else {
        spdlog::info("envelope {} of type '{}' acknowledged; nothing to do", env.envelope_id, env.type);
    }
    count_handled();
}

bool app::first_delivery(const std::vector<std::string>& keys, const std::string& envelope_id) {
    if (context_.db == nullptr) {
        return true;
    }
    storage::seen_envelopes seen(*context_.db, context_.clk);
    auto fresh = seen.first_sighting(keys);
    if (!fresh) {
        // Handled rather than lost: the in-memory dedupe already caught duplicates within this process.
        spdlog::error("could not record envelope {} as seen ({}); handling it", envelope_id, fresh.error().message);
        return true;
    }
    if (!*fresh) {
        spdlog::info("envelope {} was handled before a restart (a redelivery); ignored", envelope_id);
    }
    return *fresh;
}

void app::forget_old_envelopes() {
    if (context_.db == nullptr) {
        return;
    }
    storage::seen_envelopes seen(*context_.db, context_.clk);
    if (auto forgotten = seen.forget_older_than(seen_envelope_ttl); !forgotten) {
        spdlog::warn("could not forget old envelope ids: {}", forgotten.error().message);
    }
}

void app::on_event(const envelope& env) {
    // docs/slack.md §2.3, §2.4: payload.event carries the event; app_home_opened has user, channel, tab ("home" or
    // "messages") and, once a view was published, the view shown (api.slack.com/events/app_home_opened).
    const auto* event = env.payload.if_contains("event");
    const auto* fields = event != nullptr ? event->if_object() : nullptr;
    if (fields == nullptr || json_string(*fields, "type") != "app_home_opened") {
        spdlog::info("events_api envelope {} is not an event I handle; acknowledged", env.envelope_id);
        return;
    }
    const std::string user = json_string(*fields, "user");
    const std::string tab = json_string(*fields, "tab");
    if (user.empty() || (!tab.empty() && tab != "home")) {
        return;  // the Messages tab, or no user: nothing to publish
    }
    if (home_ == nullptr) {
        spdlog::info("app_home_opened by {} acknowledged; this bot publishes no Home tab", user);
        return;
    }
    home_->on_opened(user);
}

void app::audit_refusal(const commands::invocation& inv, const commands::reply& reply) {
    if (context_.db == nullptr) {
        return;
    }
    storage::audit_log audit(*context_.db, context_.clk);
    auto appended = audit.append({inv.user.str(), std::nullopt, "command.refused",
                                  {{"command", inv.command}, {"channel", inv.channel.str()}, {"answer", reply.text}}});
    if (!appended) {
        spdlog::error("could not audit a refusal: {}", appended.error().message);
    }
}

void app::post_notice(const commands::routed& routed, const std::string& response_url) {
    if (response_url.empty()) {
        return;
    }
    // respond() returns once Slack answered the post: the notice is in before the answer is even started, so it
    // can never show after it.
    auto sent = slack_.respond(response_url, reply_message(routed.immediate), response_visibility::ephemeral);
    if (!sent) {
        spdlog::warn("could not post the notice of {} via response_url: {}", routed.parsed.display_name(),
                     sent.error().message);
    }
}

void app::run_command(const commands::routed& routed, const std::string& response_url) {
    const auto& parsed = routed.parsed;
    if (families_.is_planned(parsed)) {
        commands::invocation inv{parsed.user, parsed.channel, parsed.display_name(), ""};
        std::optional<std::string> break_glass;
        if (auto reason = parsed.flags.find("break-glass"); reason != parsed.flags.end()) {
            break_glass = reason->second;  // the router allowed it (policy) and the parser required a reason
        }
        flow_.request(inv, {parsed.family, parsed.subcommand, parsed.args}, parsed.dry_run(), response_url,
                      break_glass);
        return;
    }
    commands::reply reply = router_.execute(routed, context_);
    if (reply.notify_incident) {
        incident_notice notice;
        notice.severity = incident_severity::failure;
        notice.what = parsed.display_name() + " found a problem";
        notice.requester = parsed.user.str();
        notice.details_mrkdwn = reply.incident_summary;
        notice.next_step = "Runbook §8: if core functionality is affected, roll back now (`/rollback web` or "
                           "`/rollback api`); if the errors are transient, watch for 5 minutes.";
        incidents_.announce(notice);
    }
    if (response_url.empty()) {
        spdlog::warn("{} finished but the envelope had no response_url; reply not delivered", parsed.display_name());
        return;
    }
    auto sent = slack_.respond(response_url, reply_message(reply),
                               reply.in_channel ? response_visibility::in_channel : response_visibility::ephemeral);
    if (!sent) {
        spdlog::error("could not deliver the reply of {} via response_url: {}", parsed.display_name(),
                      sent.error().message);
    }
}

void app::count_handled() {
    {
        std::lock_guard lock(handled_mutex_);
        ++handled_;
    }
    handled_changed_.notify_all();
}

uint64_t app::envelopes_handled() const {
    std::lock_guard lock(handled_mutex_);
    return handled_;
}

bool app::wait_handled(uint64_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(handled_mutex_);
    return handled_changed_.wait_for(lock, timeout, [&] { return handled_ >= count; });
}

}  // namespace opsbot::bot
