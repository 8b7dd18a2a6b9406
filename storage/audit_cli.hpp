#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace opsbot::storage {

/// `opsbot audit verify --db FILE`: prints "audit log OK: N entries, head <hash prefix>" and returns 0, or
/// "audit entry 17 is broken: <reason>" and returns 1. A missing or unreadable file returns 2 (the file is
/// never created: it is opened read-only).
int audit_verify_command(const std::string& db_path, std::ostream& out);

/// `opsbot audit export --db FILE [--since T]`: one JSON object per line {seq,time,actor,action_id,event,detail,
/// hash}, entries with time >= T. Returns 0; 2 for a missing file or a malformed T (with a message on `out`).
int audit_export_command(const std::string& db_path, const std::optional<std::string>& since_iso8601,
                         std::ostream& out);

}  // namespace opsbot::storage
