#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/audit_anchor.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// What a caller records. Every string in `detail` (keys and values), the actor and the event pass through
/// global_redactor() before they are stored: secrets never enter the log, even by mistake.
struct audit_input {
    std::string actor;                ///< a Slack user id, or "opsbot" for the bot's own doing
    std::optional<action_id> action;  ///< the action this is about, if any
    std::string event;                ///< dotted name, e.g. "action.requested", "step.started"
    boost::json::object detail;
};

/// A stored entry. hash = sha256_hex(canonical_json([seq, time, actor, action_id|null, event, detail,
/// prev_hash])); prev_hash of the first entry is 64 zeros.
struct audit_entry {
    std::int64_t seq = 0;
    std::string time;  ///< ISO-8601 UTC with milliseconds
    std::string actor;
    std::optional<action_id> action;
    std::string event;
    std::string detail_json;  ///< canonical JSON object
    std::string prev_hash;
    std::string hash;
};

/// The result of walking the chain.
struct audit_verification {
    std::int64_t entries = 0;               ///< sound entries, 1..entries (all of them when ok())
    std::string head_hash;                  ///< hash of the last sound entry (64 zeros when none)
    std::optional<std::int64_t> broken_seq; ///< the first entry that does not check out
    std::string reason;                     ///< why it is broken, e.g. "hash mismatch (stored …, computed …)"
    /// With an anchor: empty when the log holds entry anchor.seq with that hash; otherwise what is missing or
    /// different ("the log ends at entry 7: entries 8 to 9 are missing (cut off?)").
    std::string anchor_problem;
    bool ok() const { return !broken_seq.has_value() && anchor_problem.empty(); }
};

inline constexpr std::string_view audit_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The append-only, hash-chained audit trail (docs/design.md "Security rules"). Appends are serialized by the
/// database session and run in a transaction; database triggers refuse UPDATE and DELETE of entries.
class audit_log {
public:
    audit_log(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Appends one entry in its own transaction.
    result<audit_entry> append(const audit_input& input);

    /// Appends inside a transaction the caller already holds (so a state change and its entry commit
    /// together). Throws sql::error; callers are inside detail::guarded.
    static audit_entry append_in(database::session& session, clock::time_point time, const audit_input& input);

    /// Recomputes every hash from the stored columns; stops at the first broken entry. With `anchor` (a head
    /// published earlier), the log must also still hold entry anchor.seq with that hash (or hash prefix): the
    /// chain is contiguous from 1, so nothing before it is missing either.
    result<audit_verification> verify(const std::optional<audit_anchor>& anchor = std::nullopt);

    /// The newest entry; nullopt when the log is empty.
    result<std::optional<audit_entry>> head();

    /// Entries with time >= since (all when nullopt), oldest first.
    result<std::vector<audit_entry>> entries(std::optional<clock::time_point> since = std::nullopt);

    /// The newest `limit` entries (for `/audit N`), oldest first; or those of one action.
    result<std::vector<audit_entry>> tail(std::int64_t limit);
    result<std::vector<audit_entry>> for_action(const action_id& id);

    /// The newest entry of `event` whose detail says "environment": `environment` (a backup, a verification);
    /// nullopt when there is none.
    result<std::optional<audit_entry>> newest_for_environment(std::string_view event, std::string_view environment);

    /// Writes entries with time >= since as JSON lines {seq,time,actor,action_id,event,detail,hash};
    /// returns how many were written.
    result<std::int64_t> export_jsonl(std::ostream& out, std::optional<clock::time_point> since = std::nullopt);

private:
    database& db_;
    const clock& clock_;
};

/// The JSON-lines form of one entry (no trailing newline).
std::string to_json_line(const audit_entry& entry);

}  // namespace opsbot::storage
