#pragma once
// The Slack App Home tab (issue 15 item 5): what it shows, as plain values, and the Block Kit view built from them.
// Pure: no storage, no network, so the block budget, truncation and redaction are tested without a bot.

#include "core/redactor.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace opsbot::bot {

/// Slack refuses a Home view of more than 100 blocks (docs/slack.md §4: ≤100 in modals and the Home tab).
inline constexpr std::size_t home_block_limit = 100;
/// The newest audit entries the Home tab lists.
inline constexpr std::size_t home_audit_entries = 10;

/// One service's production state: what /deploy status says of it, already as mrkdwn lines.
struct home_service {
    std::string name;
    std::string platform;    ///< "Vercel", "Railway"
    std::string live_line;   ///< the live deployment, or why it is not known
    std::string health_line; ///< empty when the service has no production /health
};

/// A plan waiting for approval.
struct home_plan {
    std::string action_id;  ///< "A-3"
    std::string title;
    std::string requester;
    std::string digest;     ///< carried in the buttons' value, as on the channel message
    std::string expires_at; ///< ISO-8601
    int approvals = 0;
    int required = 1;
    std::vector<std::string> steps;  ///< step descriptions
    std::set<std::string> approvers; ///< who may click Approve / Deny (the family's approval rule)
    std::set<std::string> approved_by;
};

/// An action running now.
struct home_running {
    std::string action_id;
    std::string title;
    std::string requester;
    std::size_t step = 0;   ///< 1-based; 0: no step started yet
    std::size_t steps = 0;
    std::string step_text;  ///< the current step's description
};

struct home_lock {
    std::string service;
    std::string environment;
    std::string owner;
    std::string reason;
    std::string expires_at;
};

struct home_watch {
    std::string action_id;
    std::string title;
    long long minutes_left = 0;
    int checks = 0;
};

struct home_audit_entry {
    long long seq = 0;
    std::string time;
    std::string actor;
    std::string action_id;  ///< empty when the entry is about no action
    std::string event;
};

/// Everything the Home tab shows, the same for every user but the buttons.
struct home_snapshot {
    std::string updated_at;  ///< ISO-8601
    std::string label;       ///< e.g. "sandbox platforms (demo)"
    std::vector<home_service> services;
    std::vector<home_plan> plans;
    std::vector<home_running> running;
    std::vector<home_lock> locks;
    std::vector<home_watch> watches;
    std::vector<home_audit_entry> audit;  ///< newest last
    std::string problems;  ///< what could not be read (the database), mrkdwn; empty when all was read
};

/// The view `{"type":"home","blocks":[…]}` for `user`: production, plans waiting for approval (Approve / Deny only
/// for a user the family's rule lets approve who is not the requester; same action ids and values as the channel
/// message, so a click goes through the same approval path), running actions with their step, locks, watches and
/// the last audit entries. At most home_block_limit blocks: a list that does not fit ends with "…and N more". Every
/// text shown passes through `redact` (secrets never reach Slack).
boost::json::object build_home_view(const home_snapshot& snapshot, const std::string& user,
                                    const redactor& redact = global_redactor());

}  // namespace opsbot::bot
