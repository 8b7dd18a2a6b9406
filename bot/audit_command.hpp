#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace opsbot::bot {

/// `opsbot audit verify --db FILE`: 0 and "audit log OK: N entries, head <hash prefix>"; 1 and
/// "audit entry N is broken: <reason>"; 2 when the file is missing or not an opsbot database (never created).
int run_audit_verify(const std::string& db_path, std::ostream& out);

/// `opsbot audit export --db FILE [--since ISO8601]`: JSON lines {seq,time,actor,action_id,event,detail,hash}
/// with time >= since. 0 on success; 2 for a missing file or a malformed --since, with a message on `out`.
int run_audit_export(const std::string& db_path, std::optional<std::string> since_iso8601, std::ostream& out);

}  // namespace opsbot::bot
