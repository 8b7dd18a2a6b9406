#pragma once
// `opsbot migrate-state` (issue 14 item 3): the bot's state moves from its SQLite file into PostgreSQL, rows with
// their ids and the audit log with its hashes intact, the chain verified on both sides.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

struct state_copy_report {
    std::vector<std::pair<std::string, std::int64_t>> rows;  ///< per table, in copy order
    std::int64_t audit_entries = 0;
    std::string head_hash;  ///< the same on both sides, or the copy failed
};

/// Copies every table of `from` into `to`, in one write transaction on `to`. Refused, changing nothing: a source whose
/// audit chain does not verify, a target that already holds state, a target of another schema version. Rows keep
/// their ids; a row born in an initial state and moved on (an action, a watch) is inserted as born and moved along
/// the legal transitions to where it is, so the target's triggers check every copied row as they check the bot's own.
/// Afterwards the target's chain must verify to the source's head, or the copy is reported failed.
result<state_copy_report> copy_state(database& from, database& to, const clock& clk);

}  // namespace opsbot::storage
