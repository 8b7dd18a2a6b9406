#include "bot/plan_message.hpp"

#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"

#include <fmt/format.h>

#include <map>

namespace opsbot::bot {
namespace {

std::string_view icon(step_status status) {
    switch (status) {
        case step_status::pending: return "▫️";
        case step_status::running: return "⏳";
        case step_status::succeeded: return "✅";
        case step_status::failed: return "❌";
        case step_status::skipped: return "⏭️";
    }
    return "▫️";
}

std::string state_line(const plan_view& view) {
    if (view.dry_run) {
        return "*Dry run*: nothing was requested and nothing will run.";
    }
    if (view.state == "awaiting_approval") {
        return fmt::format("*Awaiting approval* ({} of {}) · expires {}", view.approvals, view.required,
                           view.expires_at);
    }
    static const std::map<std::string, std::string, std::less<>> words{
        {"approved", "*Approved*: starting"}, {"running", "*Running*"},       {"succeeded", "*Succeeded*"},
        {"failed", "*Failed*"},               {"denied", "*Denied*"},         {"cancelled", "*Cancelled*"},
        {"expired", "*Expired*"},             {"interrupted", "*Interrupted*: not re-run"},
        {"stopped", "*Stopped*"},
    };
    auto it = words.find(view.state);
    return it == words.end() ? "*" + escape_mrkdwn(view.state) + "*" : it->second;
}

}  // namespace

message render_plan_message(const commands::plan& plan, const plan_view& view) {
    boost::json::array blocks;
    std::string title = view.dry_run ? "Plan (dry run): " + plan.title : view.action_id + " · " + plan.title;
    blocks.push_back(header(title));
    std::string who = fmt::format("Requested by <@{}>", escape_mrkdwn(view.requester));
    if (!view.approvers.empty()) {
        who += " · approved by";
        for (const auto& a : view.approvers) {
            who += fmt::format(" <@{}>", escape_mrkdwn(a));
        }
    }
    blocks.push_back(context(who + (view.label.empty() ? "" : " · _" + escape_mrkdwn(view.label) + "_")));
    std::string steps;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        step_status status = i < view.steps.size() ? view.steps[i] : step_status::pending;
        steps += fmt::format("{} {}. {}", icon(status), i + 1, escape_mrkdwn(plan.steps[i].description));
        if (i < view.outcomes.size() && !view.outcomes[i].empty()) {
            steps += "\n      _" + escape_mrkdwn(view.outcomes[i]) + "_";
        }
        steps += "\n";
    }
    blocks.push_back(section(steps));
    for (const auto& line : plan.impact) {
        blocks.push_back(section(":warning: *Impact:* " + escape_mrkdwn(line)));
    }
    blocks.push_back(section(state_line(view)));
    if (!view.note.empty()) {
        blocks.push_back(context(escape_mrkdwn(view.note)));
    }
    if (!view.break_glass_reason.empty()) {
        std::string line = fmt::format(":rotating_light: *Break-glass* by <@{}>: {} · ", escape_mrkdwn(view.requester),
                                       escape_mrkdwn(view.break_glass_reason));
        line += view.break_glass_acknowledged_by.empty()
                    ? std::string("*unreviewed*: another approver must acknowledge it")
                    : fmt::format("acknowledged by <@{}>", escape_mrkdwn(view.break_glass_acknowledged_by));
        blocks.push_back(section(line));
        if (view.break_glass_acknowledged_by.empty() && view.state != "awaiting_approval") {
            blocks.push_back(break_glass_ack_block(view.action_id, view.digest));
        }
    }
    if (!view.dry_run && view.state == "awaiting_approval") {
        std::string value = view.action_id + ":" + view.digest;
        confirm_dialog confirm{"Approve " + view.action_id + "?", truncate_plain(plan.title, 250), "Approve",
                               "Not yet", button_style::primary};
        boost::json::array buttons{
            button("Approve", approve_button, value, button_style::primary, confirm),
            button("Deny", deny_button, value, button_style::danger),
            button("Cancel", cancel_button, value),
        };
        blocks.push_back(actions("plan_" + view.action_id, std::move(buttons)));
    }
    if (!view.dry_run && view.state == "running") {
        confirm_dialog confirm{"Stop " + view.action_id + "?",
                               "The step running now finishes (a wait for a person ends at once); nothing after it "
                               "runs. What already ran stays as it is.",
                               "Stop", "Keep running", button_style::danger};
        boost::json::array buttons{
            button("Stop", stop_button, view.action_id + ":" + view.digest, button_style::danger, confirm),
        };
        blocks.push_back(actions("run_" + view.action_id, std::move(buttons)));
    }
    if (!view.audit_head.empty()) {
        blocks.push_back(context("audit " + escape_mrkdwn(view.audit_head)));
    }
    std::string fallback = fmt::format("{}: {} ({})", view.dry_run ? "Dry run" : view.action_id, plan.title,
                                       view.dry_run ? "dry run" : view.state);
    return make_message(escape_mrkdwn(fallback), std::move(blocks));
}

boost::json::object break_glass_ack_block(const std::string& action_id, const std::string& digest) {
    confirm_dialog confirm{"Acknowledge the break-glass of " + action_id + "?",
                           "You confirm you reviewed why approval was skipped.", "Acknowledge", "Not yet",
                           button_style::primary};
    boost::json::array buttons{
        button("Acknowledge break-glass", ack_break_glass_button, action_id + ":" + digest, button_style::primary,
               confirm),
    };
    return actions("break_glass_" + action_id, std::move(buttons));
}

}  // namespace opsbot::bot
