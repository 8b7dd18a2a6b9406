#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/action_state.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

enum class decision { approve, deny };

/// One row per decision (who, when, which plan).
struct approval_record {
    user_id user;
    storage::decision decision = decision::approve;
    std::string plan_digest;
    clock::time_point decided_at;
};

/// What a click changed.
struct decision_outcome {
    action_state state = action_state::awaiting_approval;  ///< the action's state after this decision
    int approvals = 0;                                      ///< distinct approvers so far
    int required = 0;
    /// This click completed the approval: the caller, and only this caller, starts the action. Exactly one
    /// decision per action ever sees it, however many clicks, replays or threads race.
    bool now_approved = false;
    bool now_denied = false;
};

/// The two-person rule (docs/design.md "What a user does"), enforced in one transaction per click.
class approval_store {
public:
    approval_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Records `user`'s decision on `action`. In order, each refusal leaving the action as it was:
    ///  - unknown action: not_found;  not awaiting approval: conflict ("already approved/denied/…");
    ///  - expired (now >= expires_at): the action is marked expired, then conflict;
    ///  - user is the requester: forbidden ("you cannot approve your own request");
    ///  - user not in allowed_approvers: forbidden;
    ///  - user already decided on it: conflict, no second row;
    ///  - approve with a plan_digest other than the action's: conflict (the plan changed; re-plan).
    /// deny -> state denied. approve -> a row; when distinct approvers reach required_approvals -> approved.
    /// Refusals for policy reasons (self, non-approver, stale plan) are audited "approval.refused".
    result<decision_outcome> record_decision(const action_id& action, const user_id& user, decision choice,
                                             const std::string& plan_digest,
                                             const std::set<user_id>& allowed_approvers);

    /// Only the requester, only while awaiting approval: -> cancelled.
    result<void> cancel(const action_id& action, const user_id& user);

    /// The decisions on an action, oldest first.
    result<std::vector<approval_record>> decisions(const action_id& action);

private:
    database& db_;
    const clock& clock_;
};

std::string_view to_string(decision choice);

}  // namespace opsbot::storage
