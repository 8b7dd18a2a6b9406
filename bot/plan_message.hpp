#pragma once

#include "bot/button_value.hpp"
#include "bot/slack/message.hpp"
#include "commands/plan/plan.hpp"

#include <string>
#include <vector>

namespace opsbot::bot {

enum class step_status { pending, running, succeeded, failed, skipped };

/// Everything the approval/progress message shows. The same renderer serves the first post and every
/// update, so the message always has one shape.
struct plan_view {
    std::string action_id;  ///< "A-7"
    std::string requester;  ///< Slack user id
    std::string state;      ///< storage spelling: awaiting_approval, running, succeeded…
    std::string expires_at; ///< ISO-8601, shown while awaiting approval
    std::string digest;     ///< carried in the buttons' value
    int approvals = 0;
    int required = 1;
    std::vector<std::string> approvers;  ///< who approved so far
    std::vector<step_status> steps;      ///< one per plan step (empty = all pending)
    std::vector<std::string> outcomes;   ///< one per plan step: what happened
    std::string note;                    ///< a line under the steps ("Denied by @U03", "Expired")
    bool dry_run = false;
    std::string label;  ///< e.g. "sandbox platforms (demo)"
    /// Set when the requester skipped approval with `--break-glass "<reason>"` (issue #7).
    std::string break_glass_reason;
    std::string break_glass_acknowledged_by;  ///< who reviewed it; empty: unreviewed (shows the button)
    /// Once the action ended: the audit head after its last entry, "#SEQ HASH12" (storage::short_head); the
    /// message ends with "audit #SEQ HASH12", a head the database's owner cannot rewrite (issue 12).
    std::string audit_head;
};

/// The action_ids of a plan's Approve, Deny and Cancel buttons; each value is "<action id>:<digest>".
inline constexpr const char* approve_button = "approve";
inline constexpr const char* deny_button = "deny";
inline constexpr const char* cancel_button = "cancel";

/// The action_id of the "Acknowledge break-glass" button; its value is "<action id>:<digest>" like the others.
inline constexpr const char* ack_break_glass_button = "ack_break_glass";

/// The action_id of the Stop button a running action's message carries; its value is "<action id>:<digest>".
inline constexpr const char* stop_button = "stop";

/// The "Acknowledge break-glass" actions block for `action_id` (plan messages and the incident post).
boost::json::object break_glass_ack_block(const std::string& action_id, const std::string& digest);

/// The Slack message for a plan: title, requester, expiry, the numbered steps with ✅ / ⏳ / ❌, impact lines,
/// and — only while awaiting approval — Approve / Deny / Cancel buttons whose value is "<action id>:<digest>";
/// while running, a Stop button with the same value. An ended action's message ends with its audit head.
message render_plan_message(const commands::plan& plan, const plan_view& view);

}  // namespace opsbot::bot
