#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/action_state.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// A destructive request as the commands layer planned it.
struct new_action {
    std::string family;   ///< command family, e.g. "rollback"
    std::string subject;  ///< one line for humans, e.g. "rollback web production"
    user_id requester;
    channel_id channel;
    std::string plan_json;    ///< the plan as shown to approvers
    std::string plan_digest;  ///< what approvals bind to
    int required_approvals = 1;
    clock::time_point expires_at;
};

struct action_record {
    action_id id;
    std::string family;
    std::string subject;
    user_id requester;
    channel_id channel;
    std::optional<std::string> message_ts;  ///< the Slack message showing the plan, once posted
    std::string plan_json;
    std::string plan_digest;
    int required_approvals = 1;
    action_state state = action_state::awaiting_approval;
    clock::time_point created_at;
    clock::time_point expires_at;
    clock::time_point updated_at;
};

/// Actions and their state machine. Every change runs in one transaction together with its audit entry.
/// An illegal transition is refused twice over: by can_transition() and by a database trigger.
class action_store {
public:
    action_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Stores a new action awaiting approval and audits "action.requested". Ids are "A-1", "A-2", … and never
    /// reused. The plan and subject go through global_redactor() first.
    result<action_id> create(const new_action& request);

    /// not_found for an unknown or malformed id.
    result<action_record> get(const action_id& id);

    /// Remembers where the plan message was posted, so progress can update it.
    result<void> set_message(const action_id& id, const channel_id& channel, const std::string& ts);

    /// Moves `id` from `from` to `to` and audits "action.<to>" with `detail` (plus from/to). conflict when the
    /// transition is illegal or the action is no longer in `from`; not_found for an unknown id. Reaching a
    /// terminal state releases the locks the action owns (audited "lock.released"), in the same transaction.
    result<void> transition(const action_id& id, action_state from, action_state to, const std::string& actor,
                            boost::json::object detail = {});

    /// Actions in one state, oldest first.
    result<std::vector<action_record>> list(action_state state);
    result<std::vector<action_record>> list_running() { return list(action_state::running); }

    /// Start-up: every action found running — or approved but never started — becomes interrupted (never
    /// re-run), except one whose step waits for a person (storage/wait_store: it keeps waiting) or for a platform
    /// (storage/poll_store: its poll resumes, holding its locks); the interrupted ones' locks are
    /// released, all audited. Returns the interrupted actions, to be reported.
    result<std::vector<action_record>> mark_interrupted_at_startup();
    /// Shutdown, once its grace ran out (issue 15 item 4): the same actions, for the same reasons, with a reason
    /// that says the bot was stopped — only those this replica owns when it has a replica id (database::set_replica).
    /// The stored waits stay stored: the next start (or another replica's takeover) resumes them.
    result<std::vector<action_record>> mark_interrupted_at_shutdown();

    /// This replica (database::set_replica) now drives the running action `id` — it resumed its wait or poll — so it
    /// owns it (storage/replica_store.hpp). False when the action is not running or no replica id was set.
    result<bool> claim(const action_id& id);

    /// Right before a step acts (replicas, issue 14; model/replicas.pml "only the owner starts a step"): in one write
    /// transaction, checks that `id` still runs and is owned by this replica (database::set_replica; one with no
    /// owner recorded becomes its), then appends `entry` (step.started). conflict, with nothing written, when it is
    /// no longer running or another replica took it over (this one lost its lease meanwhile).
    result<void> start_step(const action_id& id, const audit_input& entry);

    /// The replica that owns `id`; nullopt when none is recorded. not_found for an unknown id.
    result<std::optional<std::string>> owner_of(const action_id& id);

    /// Marks every action still awaiting approval whose expiry has passed as expired. Returns them.
    result<std::vector<action_record>> sweep_expired();

private:
    result<std::vector<action_record>> mark_interrupted(const std::string& reason, bool only_mine);

    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
