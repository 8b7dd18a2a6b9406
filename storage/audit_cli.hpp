#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "storage/audit_anchor.hpp"

namespace opsbot::storage {

/// `opsbot audit verify --db FILE [--head SEQ:HASH]`: prints "audit log OK: N entries, head #N <hash>" (plus
/// "; it holds the published head #SEQ <hash>" with an anchor) and returns 0; or the problem — "audit entry 17
/// is broken: <reason>", or, with an anchor, what is missing or different — then "found: N entries, head #N
/// <hash>", and returns 1. A missing or unreadable file returns 2 (the file is never created: it is opened
/// read-only).
int audit_verify_command(const std::string& db_path, const std::optional<audit_anchor>& anchor, std::ostream& out);
/// The same on the database a stack description names (`--config FILE`): its SQLite file, or its PostgreSQL through
/// the URL in database.url_env (read with `env`), opened read-only; 2 when it cannot be opened (the message says why).
int audit_verify_command(const stack_config& config, const std::optional<audit_anchor>& anchor, std::ostream& out,
                         env_lookup env = process_env);

/// `opsbot audit export --db FILE [--since T]`: one JSON object per line {seq,time,actor,action_id,event,detail,
/// hash}, entries with time >= T. Returns 0; 2 for a missing file or a malformed T (with a message on `out`).
int audit_export_command(const std::string& db_path, const std::optional<std::string>& since_iso8601,
                         std::ostream& out);
/// The same on the database a stack description names, as audit_verify_command above.
int audit_export_command(const stack_config& config, const std::optional<std::string>& since_iso8601,
                         std::ostream& out, env_lookup env = process_env);

}  // namespace opsbot::storage
