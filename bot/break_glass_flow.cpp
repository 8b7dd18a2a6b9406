// Break-glass (issue #7): where policies.<family>.break_glass allows it, the requester runs a destructive command
// without waiting for the second person. The use is posted loudly to the incident channel and stays unreviewed in
// /audit until another allowed approver acknowledges it. The plan still runs through the one executor (locks,
// per-step audit, incident post on failure). These are action_flow members kept apart from the approval path.
#include "bot/action_flow.hpp"
#include "bot/incident_followup.hpp"

#include "bot/slack/block_kit.hpp"
#include "commands/grammar/format.hpp"
#include "core/json_fields.hpp"
#include "core/mrkdwn.hpp"
#include "storage/break_glass_store.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {
namespace {

using storage::action_state;

/// The one incident format, for a break-glass use: who, what, the reason, the thread, and who reviewed it.
incident_notice break_glass_notice(const storage::action_record& action, const commands::plan& plan,
                                   const storage::break_glass_record& use) {
    incident_notice n;
    n.severity = use.reviewed() ? incident_severity::info : incident_severity::failure;
    n.what = fmt::format("Break-glass: {} ran without a second person's approval", plan.title);
    n.action_id = action.id.str();
    n.service = plan.service;
    n.environment = plan.environment;
    n.requester = use.requester.str();
    n.outcome = use.reviewed() ? fmt::format("acknowledged by {} at {}", use.acknowledged_by->str(),
                                             commands::iso8601(*use.acknowledged_at))
                               : std::string("unreviewed until another approver acknowledges it");
    n.channel = action.channel.str();
    n.thread_ts = action.message_ts.value_or("");
    n.details_mrkdwn = "*Reason:* " + escape_mrkdwn(use.reason);
    n.next_step = use.reviewed() ? "Nothing more for the break-glass itself; follow the action's outcome in its thread."
                                 : fmt::format("An approver of `/{}` (not the requester) reads the reason and the "
                                               "thread, then clicks *Acknowledge break-glass*.",
                                               action.family);
    return n;
}

message break_glass_post(const storage::action_record& action, const commands::plan& plan,
                         const storage::break_glass_record& use) {
    message m = render_incident(break_glass_notice(action, plan, use));
    if (!use.reviewed()) {
        m.blocks.push_back(break_glass_ack_block(action.id.str(), action.plan_digest));
    }
    return m;
}

/// Puts back the step progress the executor showed, from the action's audit entries (an acknowledgement
/// re-renders a message whose run may already be over).
void restore_steps(plan_view& view, const std::vector<storage::audit_entry>& entries) {
    for (const auto& e : entries) {
        if (!e.event.starts_with("step.")) {
            continue;
        }
        boost::system::error_code ec;
        auto detail = boost::json::parse(e.detail_json, ec);
        if (ec || !detail.is_object() || !detail.get_object().contains("index") ||
            !detail.get_object().at("index").is_number()) {
            continue;
        }
        const auto& d = detail.get_object();
        auto index = d.at("index").to_number<std::int64_t>() - 1;
        if (index < 0 || static_cast<std::size_t>(index) >= view.steps.size()) {
            continue;
        }
        auto i = static_cast<std::size_t>(index);
        if (e.event == "step.started") {
            view.steps[i] = step_status::running;
        } else if (e.event == "step.succeeded") {
            view.steps[i] = step_status::succeeded;
            view.outcomes[i] = json_string(d, "outcome");
        } else if (e.event == "step.failed") {
            view.steps[i] = step_status::failed;
            view.outcomes[i] = json_string(d, "error");
        } else if (e.event == "step.stopped") {
            view.steps[i] = step_status::skipped;
            view.outcomes[i] = "stopped by " + json_string(d, "by") + " while it waited";
        }
    }
}

}  // namespace

void action_flow::show_break_glass(plan_view& view, const action_id& id) {
    storage::break_glass_store glass(deps_.db, deps_.clk);
    auto use = glass.find(id);
    if (!use) {
        spdlog::error("could not read the break-glass of {}: {}", id.str(), use.error().message);
        return;
    }
    if (*use) {
        view.break_glass_reason = (*use)->reason;
        view.break_glass_acknowledged_by = (*use)->acknowledged_by ? (*use)->acknowledged_by->str() : "";
    }
}

void action_flow::run_break_glass(const commands::invocation& inv, const commands::plan& plan,
                                  const std::string& reason, const std::string& response_url) {
    std::string family = json_string(plan.request, "family");
    if (family.empty()) {
        family = plan.family;
    }
    // The router already refused break-glass where the policy does not allow it; this guards other callers.
    if (auto allowed = deps_.config.policies.find(family);
        allowed == deps_.config.policies.end() || !allowed->second.break_glass) {
        audit(inv.user.str(), std::nullopt, "request.refused",
              {{"title", plan.title}, {"reason", "break-glass not enabled"}});
        reply(response_url, fmt::format(":no_entry: Break-glass is not enabled for `/{}` (policy {}.break_glass = "
                                        "false). Nothing was requested.",
                                        family, family));
        return;
    }
    // The same rule as an approval (approval_for): someone must be able to review it afterwards.
    auto rule = commands::approval_for(plan.family, deps_.config);
    if (!rule) {
        audit(inv.user.str(), std::nullopt, "request.refused", {{"title", plan.title}, {"reason", "no approvers"}});
        reply(response_url, ":no_entry: Break-glass still needs someone to review it afterwards: " +
                                rule.error().message + " Nothing was requested.");
        return;
    }
    auto id = record_request(inv, plan, *rule, response_url);
    if (!id) {
        return;
    }
    storage::break_glass_store glass(deps_.db, deps_.clk);
    if (auto approved = glass.approve_by_break_glass(*id, inv.user, reason); !approved) {
        if (auto cancelled = actions_.transition(*id, action_state::awaiting_approval, action_state::cancelled,
                                                 "opsbot", {{"reason", "break-glass refused: " + approved.error().message}});
            !cancelled) {
            // It stays awaiting a normal approval, and expires on its own.
            spdlog::error("could not cancel {} after break-glass was refused: {}", id->str(), cancelled.error().message);
        }
        reply(response_url, ":x: Break-glass refused: " + escape_mrkdwn(approved.error().message) +
                                " Nothing was changed.");
        return;
    }
    auto action = actions_.get(*id);
    auto use = glass.find(*id);
    if (!action || !use || !*use) {
        spdlog::error("break-glass action {} could not be read back", id->str());
        return;
    }
    plan_view view = view_of(*action, plan);
    show_break_glass(view, *id);
    auto posted = deps_.slack.post_message(inv.channel.str(), render_plan_message(plan, view));
    if (posted) {
        if (auto saved = actions_.set_message(*id, channel_id(posted->channel), posted->ts); !saved) {
            spdlog::error("could not remember the message of {}: {}", id->str(), saved.error().message);
        }
        on_incident_plan_posted(deps_, plan, posted->channel, posted->ts);
        action = actions_.get(*id);
        if (!action) {
            return;
        }
    } else {
        spdlog::error("could not post the break-glass plan of {}: {}", id->str(), posted.error().message);
    }
    // Loudly, before anything runs: who, what, why, and where to follow it.
    const std::string incident_channel = deps_.config.slack.incident_channel;
    if (incident_channel.empty()) {
        spdlog::error("break-glass {}: no slack.incident_channel configured; not posted there", id->str());
    } else if (auto loud = deps_.slack.post_message(incident_channel, break_glass_post(*action, plan, **use)); loud) {
        if (auto saved = glass.set_incident_post(*id, loud->channel, loud->ts); !saved) {
            spdlog::error("could not remember the break-glass post of {}: {}", id->str(), saved.error().message);
        }
    } else {
        spdlog::error("could not post the break-glass of {} to the incident channel: {}", id->str(),
                      loud.error().message);
    }
    reply(response_url, fmt::format(":rotating_light: Break-glass: *{}* runs now without a second person. It is "
                                    "posted to the incident channel and stays unreviewed until an approver of `/{}` "
                                    "acknowledges it.",
                                    id->str(), plan.family));
    execute(*action);
}

void action_flow::on_break_glass_ack(const block_action& click) {
    auto found = clicked_action(click);
    if (!found) {
        return;
    }
    const storage::action_record& action = found->action;
    const action_id& id = action.id;
    const std::string id_text = id.str();
    storage::break_glass_store glass(deps_.db, deps_.clk);
    auto acked = glass.acknowledge(id, user_id(click.user), approvers_for(action.family));
    if (!acked) {
        tell(click.channel, click.user, escape_mrkdwn(acked.error().message) + " Nothing was changed.");
        return;
    }
    const commands::plan plan = plan_of(action);
    plan_view view = view_of(action, plan);
    if (action.state != action_state::awaiting_approval) {
        if (auto entries = audit_.for_action(id)) {
            restore_steps(view, *entries);
        }
    }
    update_message(action, plan, view);
    if (!acked->incident_ts.empty()) {
        auto updated = deps_.slack.update_message(acked->incident_channel, acked->incident_ts,
                                                  break_glass_post(action, plan, *acked));
        if (!updated) {
            spdlog::error("could not update the break-glass post of {}: {}", id_text, updated.error().message);
        }
    }
    if (action.message_ts) {
        auto sent = deps_.slack.post_message(
            action.channel.str(),
            text_message(fmt::format(":white_check_mark: Break-glass of {} acknowledged by <@{}>.", id_text,
                                     escape_mrkdwn(click.user))),
            *action.message_ts);
        if (!sent) {
            spdlog::error("could not post the acknowledgement of {} in its thread: {}", id_text, sent.error().message);
        }
    }
}

}  // namespace opsbot::bot
