#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "storage/audit_anchor.hpp"

namespace opsbot::bot {

/// `opsbot audit verify --db FILE [--head SEQ:HASH]`: 0 and "audit log OK: N entries, head #N <hash>"; 1 and
/// what is broken or missing (an entry that does not check out; with a head, entries cut off or rewritten), then
/// the count and head found; 2 when the file is missing or not an opsbot database (never created).
int run_audit_verify(const std::string& db_path, const std::optional<storage::audit_anchor>& head, std::ostream& out);

/// `opsbot audit export --db FILE [--since ISO8601]`: JSON lines {seq,time,actor,action_id,event,detail,hash}
/// with time >= since. 0 on success; 2 for a missing file or a malformed --since, with a message on `out`.
int run_audit_export(const std::string& db_path, std::optional<std::string> since_iso8601, std::ostream& out);

/// `--config FILE` instead of `--db FILE`: the same on the database the stack description names (SQLite or
/// PostgreSQL, issue 14).
int run_audit_verify(const stack_config& config, const std::optional<storage::audit_anchor>& head, std::ostream& out);
int run_audit_export(const stack_config& config, std::optional<std::string> since_iso8601, std::ostream& out);

}  // namespace opsbot::bot
