#pragma once
// Internal to storage/*.cpp: row access and the one transition routine shared by action_store and
// approval_store. All functions run inside a transaction the caller holds and may throw sql::error.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/action_store.hpp"
#include "storage/database.hpp"
#include "storage/sql.hpp"

namespace opsbot::storage::detail {

extern const char* const action_columns;  ///< "SELECT … FROM actions"; read_action() expects this order

action_record read_action(const sql::statement& row);

std::optional<action_record> load_action(sql::connection& conn, std::int64_t seq);

/// Resolves an id to its row: not_found for a malformed or unknown id.
result<action_record> find_action(sql::connection& conn, const action_id& id);

/// On reaching a terminal state: the action's locks released (as always), or kept until their own expiry — a
/// takeover cannot tell a dead owner from a slow one whose step may still act (model/replicas.pml,
/// fix.keep_locks_on_takeover).
enum class locks_at_end { release, keep };

/// UPDATE … WHERE state = from; audits; on a terminal state releases the action's locks (unless `locks` says keep).
result<void> transition_in(database::session& session, clock::time_point now, const action_record& action,
                           action_state from, action_state to, const std::string& actor, boost::json::object detail,
                           locks_at_end locks = locks_at_end::release);

/// SQL conditions on actions: one that acts (running, or approved but never started, and no step of it stored as
/// waiting for a person or a platform), and one whose current step waits (storage/wait_store, storage/poll_store).
extern const char* const acting_actions;
extern const char* const waiting_actions;

/// Reads every action matching `where` (bound to `params`, in order), oldest first.
std::vector<action_record> select_actions(sql::connection& conn, const std::string& where,
                                          const std::vector<sql::value>& params);

/// Moves every action matching `where` to `to`, each with its audit entry ("opsbot", reason), inside the caller's
/// transaction. Returns them as they are now.
result<std::vector<action_record>> move_all_in(database::session& session, clock::time_point now,
                                               const std::string& where, const std::vector<sql::value>& params,
                                               action_state to, const char* reason,
                                               locks_at_end locks = locks_at_end::release);

}  // namespace opsbot::storage::detail
