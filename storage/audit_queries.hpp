#pragma once
// Read-only questions to the audit log that its own interface (storage/audit_log.hpp) does not answer.

#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace opsbot::storage {

/// An action whose "action.succeeded" entry is in the audit log.
struct succeeded_action {
    action_id id;
    std::string succeeded_at;  ///< the time of that entry (ISO-8601 UTC with milliseconds)
    std::string plan_json;     ///< the plan it ran, as stored with the action
};

/// Every action of `family` ("rotate") that succeeded according to the audit log, oldest first. Used by rollback
/// plans to find the rotations a rollback would undo (issue 12 item 10).
result<std::vector<succeeded_action>> succeeded_actions(database& db, std::string_view family);

}  // namespace opsbot::storage
