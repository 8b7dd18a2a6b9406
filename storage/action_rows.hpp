#pragma once
// Internal to storage/*.cpp: row access and the one transition routine shared by action_store and
// approval_store. All functions run inside a transaction the caller holds and may throw sql::error.

#include <cstdint>
#include <optional>
#include <string>

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

/// UPDATE … WHERE state = from; audits; on a terminal state releases the action's locks.
result<void> transition_in(database::session& session, clock::time_point now, const action_record& action,
                           action_state from, action_state to, const std::string& actor, boost::json::object detail);

}  // namespace opsbot::storage::detail
