#pragma once
// `opsbot migrate-state --from opsbot.db --config FILE` (issue 14 item 3): the SQLite state into the database the
// stack description names (PostgreSQL, for replicas), then both chains verified.

#include <iosfwd>
#include <string>

#include "config/config.hpp"

namespace opsbot::bot {

/// Exit 0 copied and verified; 1 refused or failed (the message says why; nothing is copied into a target that holds
/// state); 2 the source or the target cannot be opened.
int run_migrate_state(const std::string& from, const stack_config& config, std::ostream& out, std::ostream& err);

}  // namespace opsbot::bot
