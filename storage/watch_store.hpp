#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// A post-deploy watch (runbook §7): watching until its window ends, then quiet, or fired at the first finding.
enum class watch_state { watching, quiet, fired };

std::string_view to_string(watch_state state);

/// What the bot watches after an action succeeded.
struct new_watch {
    action_id action;
    std::string family;       ///< "rollback"
    std::string title;        ///< "Roll back web (production)"
    std::string service;      ///< "web"; empty when the action spans several services
    std::string environment;  ///< "production"
    std::string requester;
    std::string channel;    ///< where the action's thread is
    std::string thread_ts;  ///< the action's message
    clock::time_point started_at;  ///< when the action finished: Sentry issues first seen since then count
    clock::time_point ends_at;
    clock::time_point first_check_at;
};

struct watch_record {
    action_id action;
    std::string family;
    std::string title;
    std::string service;
    std::string environment;
    std::string requester;
    std::string channel;
    std::string thread_ts;
    clock::time_point started_at;
    clock::time_point ends_at;
    clock::time_point next_check_at;
    int checks = 0;         ///< checks made so far
    int failed_checks = 0;  ///< of which Sentry or BetterStack could not be read
    std::string last_error;
    watch_state state = watch_state::watching;
    std::optional<clock::time_point> closed_at;
};

/// The bot's post-deploy watches, so they survive a restart. Starting and closing a watch commit together with
/// their audit entries ("watch.started", "watch.quiet", "watch.fired", "watch.blind"); a watch closes exactly once.
/// Error texts are redacted with global_redactor() before they are stored (as storage/action_store does).
class watch_store {
public:
    watch_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Stores a new watch and audits "watch.started". conflict when the action already has one; invalid_input
    /// when the window is empty; not_found for an unknown action.
    result<void> start(const new_watch& watch);

    /// not_found when the action has no watch.
    result<watch_record> get(const action_id& action);

    /// Watches still watching, oldest first.
    result<std::vector<watch_record>> active();

    /// Replicas (issue 14: timers fire once in the cluster): takes the due check of `action` for this process by
    /// moving its next check from `seen` (as read) to `until`. True for the one caller that moved it; false when
    /// another replica took it first or the watch ended.
    result<bool> claim_check(const action_id& action, clock::time_point seen, clock::time_point until);

    /// Counts one check (failed when `error` is set; stored redacted) and schedules the next one.
    result<void> record_check(const action_id& action, clock::time_point next_check_at,
                              const std::optional<std::string>& error);

    /// Ends a watch as quiet or fired and audits "watch.<state>" with `detail` (plus checks and failed checks).
    /// conflict when it is no longer watching: only one caller ever closes it.
    result<void> close(const action_id& action, watch_state end, boost::json::object detail);

    /// Ends a watch whose closing check could not read Sentry or BetterStack: audited "watch.blind" (with `detail`
    /// plus the counts), never "watch.quiet". The row ends as quiet (nothing was found: the schema knows only
    /// quiet and fired); the audit entry tells it apart. conflict when it is no longer watching.
    result<void> close_blind(const action_id& action, boost::json::object detail);

private:
    result<void> close_as(const action_id& action, watch_state row_state, std::string event,
                          boost::json::object detail);

    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
