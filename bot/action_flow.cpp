#include "bot/action_flow.hpp"

#include "bot/incident_followup.hpp"
#include "bot/slack/block_kit.hpp"
#include "commands/grammar/format.hpp"
#include "commands/grammar/policy.hpp"
#include "core/log_context.hpp"
#include "core/mrkdwn.hpp"
#include "metrics/opsbot_metrics.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {
namespace {

using storage::action_state;

}  // namespace

commands::plan action_flow::plan_of(const storage::action_record& action) {
    return commands::plan_from_json(boost::json::parse(action.plan_json));
}

action_flow::action_flow(action_flow_deps deps)
    : deps_(std::move(deps)),
      actions_(deps_.db, deps_.clk),
      approvals_(deps_.db, deps_.clk),
      locks_(deps_.db, deps_.clk),
      audit_(deps_.db, deps_.clk),
      waits_(deps_.db, deps_.clk),
      poll_clock_(deps_.poll_clock != nullptr ? *deps_.poll_clock : real_clock_),
      polls_(deps_.db, deps_.clk),
      incidents_(deps_.slack, deps_.config.slack.incident_channel) {
    if (deps_.board != nullptr) {
        deps_.board->on_continue([this](const std::string& id) { return continue_wait(id); });
        // Replicas (issue 14): a continue reaches the stored wait whichever replica stored it.
        deps_.board->on_lookup(
            [this](const std::string& key) -> result<std::optional<commands::person_wait_board::stored_waiter>> {
                auto found = waits_.by_key(key);
                if (!found) {
                    return std::unexpected(found.error());
                }
                if (!*found) {
                    return std::nullopt;
                }
                return commands::person_wait_board::stored_waiter{(*found)->requester, (*found)->action.str()};
            });
    }
}

void action_flow::audit(const std::string& actor, const std::optional<action_id>& action, const std::string& event,
                        boost::json::object detail) {
    auto appended = audit_.append({actor, action, event, std::move(detail)});
    if (!appended) {
        spdlog::error("could not write audit entry {}: {}", event, appended.error().message);
    }
}

void action_flow::reply(const std::string& response_url, const std::string& text) {
    if (response_url.empty()) {
        return;
    }
    auto sent = deps_.slack.respond(response_url, text_message(text),
                                    response_visibility::ephemeral);
    if (!sent) {
        spdlog::error("could not answer via response_url: {}", sent.error().message);
    }
}

void action_flow::tell(const std::string& channel, const std::string& user, const std::string& text) {
    // chat.postMessage to a user id posts in the app's DM with them (the App Home's Messages tab).
    if (channel.empty()) {
        if (auto sent = deps_.slack.post_message(user, text_message(text)); !sent) {
            spdlog::error("could not tell {} ({}): {}", user, text, sent.error().message);
        }
        return;
    }
    auto sent = deps_.slack.post_ephemeral(channel, user, text_message(text));
    if (!sent) {
        spdlog::error("could not tell {} ({}): {}", user, text, sent.error().message);
    }
}

void action_flow::changed() {
    if (deps_.on_change) {
        deps_.on_change();
    }
}

std::set<user_id> action_flow::approvers_for(const std::string& family) const {
    auto rule = commands::approval_for(family, deps_.config);
    return rule ? rule->approvers : std::set<user_id>{};
}

plan_view action_flow::view_of(const storage::action_record& action, const commands::plan& plan) {
    plan_view view;
    view.action_id = action.id.str();
    view.requester = action.requester.str();
    view.state = std::string(storage::to_string(action.state));
    view.expires_at = commands::iso8601(action.expires_at);
    view.digest = action.plan_digest;
    view.required = action.required_approvals;
    view.label = deps_.platforms.label;
    if (auto decisions = approvals_.decisions(action.id)) {
        for (const auto& d : *decisions) {
            if (d.decision == storage::decision::approve) {
                view.approvers.push_back(d.user.str());
            }
        }
    }
    view.approvals = static_cast<int>(view.approvers.size());
    view.steps.assign(plan.steps.size(), step_status::pending);
    view.outcomes.assign(plan.steps.size(), std::string{});
    return view;
}

void action_flow::update_message(const storage::action_record& action, const commands::plan& plan,
                                 const plan_view& view, bool force) {
    // Every change of an action's state or step is shown here first: the Home tab follows it (it reads the
    // database, already changed, on its own thread).
    changed();
    if (!action.message_ts) {
        return;
    }
    // Clicks and the executor update one message from different workers. Under the message's lock, a view of a state
    // the action has already left is dropped, so a slower click never puts back an older state (or live buttons).
    // Per message, not global: one slow chat.update must not hold up other actions' messages.
    auto lock = message_locks_.lock(action.id.str());
    auto now = actions_.get(action.id);
    if (!now) {
        spdlog::error("could not re-read {} before updating its message: {}", action.id.str(), now.error().message);
        return;
    }
    if (!force && std::string(storage::to_string(now->state)) != view.state) {
        spdlog::debug("{}: not showing a stale '{}' view; it is {} now", action.id.str(), view.state,
                      storage::to_string(now->state));
        return;
    }
    plan_view shown = view;
    if (now->state == action_state::awaiting_approval) {
        // The approval count moves between reads too: show the stored one.
        plan_view fresh = view_of(*now, plan);
        shown.approvers = fresh.approvers;
        shown.approvals = fresh.approvals;
    }
    if (storage::is_terminal(now->state)) {
        shown.audit_head = audit_head_text();
    }
    show_break_glass(shown, action.id);
    auto updated =
        deps_.slack.update_message(action.channel.str(), *action.message_ts, render_plan_message(plan, shown));
    if (!updated) {
        spdlog::error("could not update the message of {}: {}", action.id.str(), updated.error().message);
    }
}

void action_flow::request(const commands::invocation& inv, const commands::stored_request& request, bool dry_run,
                          const std::string& response_url, const std::optional<std::string>& break_glass_reason) {
    auto plan = deps_.families.plan_request(request, {deps_.config, deps_.platforms, deps_.clk});
    if (!plan) {
        audit(inv.user.str(), std::nullopt, "request.failed",
              {{"command", inv.command}, {"text", inv.text}, {"reason", plan.error().message}});
        const std::string asked = inv.text.empty() ? inv.command : inv.command + " " + inv.text;
        reply(response_url, ":x: Could not plan `" + escape_mrkdwn(asked) + "`: " + escape_mrkdwn(plan.error().message) +
                                "\nNothing was changed.");
        return;
    }
    if (dry_run) {
        plan_view view;
        view.dry_run = true;
        view.requester = inv.user.str();
        view.label = deps_.platforms.label;
        audit(inv.user.str(), std::nullopt, "plan.dry_run", {{"title", plan->title}, {"digest", plan->digest()}});
        if (!response_url.empty()) {
            auto sent = deps_.slack.respond(response_url, render_plan_message(*plan, view),
                                            response_visibility::ephemeral);
            if (!sent) {
                spdlog::error("could not show the dry run: {}", sent.error().message);
            }
        }
        return;
    }
    // A freeze (`/deploy lock`) or another running action holds this service+environment.
    if (auto active = locks_.list_active()) {
        for (const auto& lock : *active) {
            if (lock.service == plan->service && lock.environment == plan->environment) {
                audit(inv.user.str(), std::nullopt, "request.refused",
                      {{"title", plan->title}, {"reason", "locked"}, {"lock_owner", lock.owner}});
                reply(response_url,
                      fmt::format(":lock: {} {} is locked by {} until {}: {}\nNothing was requested.",
                                  escape_mrkdwn(lock.service), escape_mrkdwn(lock.environment),
                                  escape_mrkdwn(lock.owner), commands::iso8601(lock.expires_at),
                                  escape_mrkdwn(lock.reason)));
                return;
            }
        }
    }
    if (break_glass_reason) {
        run_break_glass(inv, *plan, *break_glass_reason, response_url);
        return;
    }
    post_for_approval(inv, *plan, response_url);
}

void action_flow::post_for_approval(const commands::invocation& inv, const commands::plan& plan,
                                    const std::string& response_url) {
    auto rule = commands::approval_for(plan.family, deps_.config);
    if (!rule) {
        audit(inv.user.str(), std::nullopt, "request.refused", {{"title", plan.title}, {"reason", "no approvers"}});
        reply(response_url, ":no_entry: " + rule.error().message + " Nothing was requested.");
        return;
    }
    auto id = record_request(inv, plan, *rule, response_url);
    if (!id) {
        return;
    }
    auto action = actions_.get(*id);
    if (!action) {
        spdlog::error("action {} vanished after creation: {}", id->str(), action.error().message);
        return;
    }
    auto posted = deps_.slack.post_message(inv.channel.str(), render_plan_message(plan, view_of(*action, plan)));
    if (!posted) {
        if (auto cancelled = actions_.transition(*id, action_state::awaiting_approval, action_state::cancelled,
                                                 "opsbot", {{"reason", "could not post the plan: " + posted.error().message}});
            !cancelled) {
            // It stays awaiting approval with no message to click on, and expires on its own.
            spdlog::error("could not cancel {} after its plan could not be posted: {}", id->str(),
                          cancelled.error().message);
        }
        reply(response_url, ":x: Could not post the plan in this channel (" + escape_mrkdwn(posted.error().message) +
                                "). Is the bot invited? Nothing was requested.");
        return;
    }
    if (auto saved = actions_.set_message(*id, channel_id(posted->channel), posted->ts); !saved) {
        spdlog::error("could not remember the message of {}: {}", id->str(), saved.error().message);
    }
    changed();  // a new plan waits for approval
    on_incident_plan_posted(deps_, plan, posted->channel, posted->ts);
    reply(response_url, fmt::format("Plan *{}* is posted for approval by `{}` ({} needed); it expires at {}.",
                                    id->str(), escape_mrkdwn(rule->approve_group), rule->approvals,
                                    commands::iso8601(action->expires_at)));
}

std::optional<action_id> action_flow::record_request(const commands::invocation& inv, const commands::plan& plan,
                                                     const commands::approval_rule& rule,
                                                     const std::string& response_url) {
    storage::new_action request;
    request.family = plan.family;
    request.subject = plan.title;
    request.requester = inv.user;
    request.channel = inv.channel;
    request.plan_json = boost::json::serialize(plan.to_json());
    request.plan_digest = plan.digest();
    request.required_approvals = rule.approvals;
    request.expires_at = deps_.clk.now() + rule.expires_after;
    auto id = actions_.create(request);
    if (!id) {
        reply(response_url, ":x: Could not record the request: " + escape_mrkdwn(id.error().message));
        return std::nullopt;
    }
    return *id;
}

std::optional<action_flow::clicked> action_flow::clicked_action(const block_action& click) {
    std::string id_text;
    std::string digest;
    if (!parse_button_value(click.value, id_text, digest)) {
        tell(click.channel, click.user, "That button does not carry an action I know. Nothing was changed.");
        return std::nullopt;
    }
    auto action = actions_.get(action_id(id_text));
    if (!action) {
        tell(click.channel, click.user, fmt::format("There is no action {}. Nothing was changed.", id_text));
        return std::nullopt;
    }
    return clicked{std::move(*action), std::move(digest)};
}

void action_flow::on_click(const block_action& click) {
    if (click.action_id == stop_button) {
        on_stop(click);
        return;
    }
    auto found = clicked_action(click);
    if (!found) {
        return;
    }
    const action_id id = found->action.id;
    const std::string& digest = found->digest;
    const user_id user(click.user);
    storage::action_record& before = found->action;
    // A click can overtake the worker that posted the message and is still recording its ts: the click
    // carries the message's ts, so progress updates always know which message to edit.
    if (!before.message_ts && !click.message_ts.empty()) {
        if (auto saved = actions_.set_message(id, channel_id(click.channel), click.message_ts); saved) {
            auto reread = actions_.get(id);
            if (!reread) {
                return;
            }
            before = std::move(*reread);
        }
    }
    const commands::plan plan = plan_of(before);
    // What the JSON log lines of this click (and of the run an approval starts here) are about.
    log_context about;
    about.action = id.str();
    about.family = plan.family;
    const scoped_log_context log_about(about);
    if (click.action_id == cancel_button) {
        auto cancelled = approvals_.cancel(id, user);
        if (!cancelled) {
            tell(click.channel, click.user, escape_mrkdwn(cancelled.error().message) + " Nothing was changed.");
            return;
        }
        metrics::action_finished(plan.family, "cancelled");  // final without running: counted here
        auto after = actions_.get(id);
        if (after) {
            auto view = view_of(*after, plan);
            view.note = "Cancelled by the requester.";
            update_message(*after, plan, view);
        }
        return;
    }
    if (click.action_id != approve_button && click.action_id != deny_button) {
        tell(click.channel, click.user, "Unknown button. Nothing was changed.");
        return;
    }
    auto choice = click.action_id == approve_button ? storage::decision::approve : storage::decision::deny;
    auto outcome = approvals_.record_decision(id, user, choice, digest, approvers_for(before.family));
    auto after = actions_.get(id);
    if (!outcome) {
        tell(click.channel, click.user, escape_mrkdwn(outcome.error().message) + " Nothing was changed.");
        // Only a change this click caused (it found the request expired) is shown here: any other change
        // belongs to the click or run that made it, which shows it with its step progress.
        if (after && after->state == action_state::expired && before.state != action_state::expired) {
            metrics::action_finished(plan.family, "expired");
            update_message(*after, plan, view_of(*after, plan));
        }
        return;
    }
    if (!after) {
        return;
    }
    auto view = view_of(*after, plan);
    if (outcome->now_denied) {
        metrics::action_finished(plan.family, "denied");
        view.note = fmt::format("Denied by {}.", click.user);
        update_message(*after, plan, view);
        return;
    }
    if (outcome->now_approved) {
        update_message(*after, plan, view);
        execute(*after);
        return;
    }
    tell(click.channel, click.user,
         fmt::format("Your approval of {} is recorded ({} of {}).", id.str(), outcome->approvals, outcome->required));
    update_message(*after, plan, view);
}

void action_flow::sweep_expired() {
    auto expired = actions_.sweep_expired();
    if (!expired) {
        spdlog::error("expiry sweep failed: {}", expired.error().message);
        return;
    }
    for (const auto& action : *expired) {
        commands::plan plan = plan_of(action);
        metrics::action_finished(plan.family, "expired");
        auto view = view_of(action, plan);
        view.note = "Expired before it was approved. Request it again if it is still needed.";
        update_message(action, plan, view);
    }
    sweep_waits();
}

}  // namespace opsbot::bot
