#pragma once
// What the storage property test drives (issue 16 item 3): one small interface; stores_adapter.hpp implements it with
// the real stores, on SQLite or PostgreSQL (issue 14). Results are plain values the model can equal.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/action_state.hpp"

namespace opsbot::storage::property {

/// How a call ended, as far as the model can tell.
enum class outcome { ok, not_found, conflict, forbidden, other };

inline const char* to_string(outcome o) {
    switch (o) {
        case outcome::ok: return "ok";
        case outcome::not_found: return "not_found";
        case outcome::conflict: return "conflict";
        case outcome::forbidden: return "forbidden";
        case outcome::other: return "other";
    }
    return "?";
}

inline outcome outcome_of(const error& e) {
    switch (e.kind) {
        case error_kind::not_found: return outcome::not_found;
        case error_kind::conflict: return outcome::conflict;
        case error_kind::forbidden: return outcome::forbidden;
        default: return outcome::other;
    }
}

struct decision_result {
    outcome result = outcome::ok;
    bool now_approved = false;
    bool now_denied = false;
    int approvals = 0;  ///< distinct approvers after the click (when ok)
};

/// The storage layer under test. Times come from the clock the adapter was built with.
class storage_adapter {
public:
    virtual ~storage_adapter() = default;

    // Requests and decisions (storage/action_store, storage/approval_store).
    virtual std::string request(const std::string& requester, int required, clock::time_point expires_at) = 0;
    virtual decision_result decide(const std::string& action, const std::string& user, bool approve,
                                   bool stale_plan) = 0;
    virtual outcome cancel(const std::string& action, const std::string& user) = 0;
    virtual outcome transition(const std::string& action, action_state from, action_state to,
                               const std::string& actor) = 0;
    virtual std::vector<std::string> sweep_expired() = 0;

    /// Closes the database, opens it again from the same place and runs the bot's start-up recovery; with
    /// `shutdown`, the shutdown's own interruption runs first, as when the grace ran out. Returns the ids that
    /// start-up (or shutdown) interrupted.
    virtual std::vector<std::string> restart(bool shutdown) = 0;

    // Locks (storage/lock_store).
    virtual outcome claim(const std::string& service, const std::string& owner, clock::time_point expires_at) = 0;
    virtual outcome release(const std::string& service, const std::string& owner) = 0;
    virtual outcome release_as_approver(const std::string& service, const std::string& actor) = 0;

    // A step waiting for a person (storage/wait_store): such an action keeps running across a restart.
    virtual outcome put_wait(const std::string& action, const std::string& key) = 0;
    virtual bool take_wait(const std::string& action) = 0;  ///< true for the one caller that removed it

    /// The executor's audit entry for a step boundary ("step.started", "step.succeeded").
    virtual bool append_step(const std::string& action, const std::string& event) = 0;

    /// Tries to write `to` straight into the action's row, bypassing the stores, and undoes it: true when the
    /// database refused it (the trigger), false when it would have taken it.
    virtual bool raw_update_refused(const std::string& action, action_state to) = 0;

    // Observations.
    virtual std::optional<action_state> state_of(const std::string& action) = 0;
    virtual std::set<std::string> approvers_of(const std::string& action) = 0;
    virtual std::map<std::string, std::string> active_locks() = 0;  ///< service -> owner
    virtual std::map<std::string, std::string> waits() = 0;         ///< action -> wait key
    /// How many entries the audit chain holds when it verifies end to end; -1 when it does not.
    virtual std::int64_t verified_audit_entries() = 0;
    virtual int audit_count(const std::string& action, const std::string& event) = 0;
};

}  // namespace opsbot::storage::property
