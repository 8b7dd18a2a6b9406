#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// An action that skipped approval with `--break-glass "<reason>"` (issue #7). It is unreviewed until another
/// allowed approver acknowledges it.
struct break_glass_record {
    action_id action;
    user_id requester;
    std::string reason;
    clock::time_point used_at;
    std::string incident_channel;  ///< where the loud post went (empty until it was posted)
    std::string incident_ts;
    std::optional<user_id> acknowledged_by;
    std::optional<clock::time_point> acknowledged_at;

    bool reviewed() const { return acknowledged_by.has_value(); }
};

/// Break-glass uses and their review. Every change commits together with its audit entry.
class break_glass_store {
public:
    break_glass_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// The requester's break-glass: in one transaction the action goes awaiting_approval -> approved (audited
    /// "action.approved" with break_glass and the reason) and "break_glass.used" is audited. conflict when the
    /// action is not awaiting approval; forbidden when `requester` did not request it; invalid_input for an empty
    /// reason.
    result<void> approve_by_break_glass(const action_id& action, const user_id& requester, const std::string& reason);

    /// Remembers the incident-channel post, so an acknowledgement can update it.
    result<void> set_incident_post(const action_id& action, const std::string& channel, const std::string& ts);

    /// `user` acknowledges (reviews) the use. Refused, each audited "break_glass.ack_refused" and changing
    /// nothing: forbidden for the requester or a user not in `allowed`; conflict when already acknowledged;
    /// not_found when the action used no break-glass. Success audits "break_glass.acknowledged".
    result<break_glass_record> acknowledge(const action_id& action, const user_id& user,
                                           const std::set<user_id>& allowed);

    /// nullopt when the action did not use break-glass.
    result<std::optional<break_glass_record>> find(const action_id& action);

    /// Uses nobody acknowledged yet, oldest first.
    result<std::vector<break_glass_record>> unreviewed();

private:
    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
