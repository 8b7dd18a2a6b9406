#include "storage/schema_migrations.hpp"

#include <array>

namespace opsbot::storage {
namespace {

// Times are INTEGER milliseconds since the Unix epoch, except in audit_log, whose ISO-8601 text is part of the
// hashed entry. The transition trigger below must match can_transition() in action_state.cpp; a unit test
// tries every pair of states against both.
constexpr std::string_view actions_sql = R"sql(
CREATE TABLE actions (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    family             TEXT    NOT NULL,
    subject            TEXT    NOT NULL,
    requester          TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    message_ts         TEXT,
    plan_json          TEXT    NOT NULL,
    plan_digest        TEXT    NOT NULL,
    required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
    state              TEXT    NOT NULL CHECK (state IN ('awaiting_approval', 'approved', 'running', 'succeeded',
                                   'failed', 'denied', 'cancelled', 'expired', 'interrupted')),
    created_at_ms      INTEGER NOT NULL,
    expires_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL
);
CREATE INDEX actions_by_state ON actions (state, expires_at_ms);

CREATE TRIGGER actions_insert_state BEFORE INSERT ON actions
WHEN NEW.state <> 'awaiting_approval'
BEGIN SELECT RAISE(ABORT, 'a new action must start awaiting_approval'); END;

CREATE TRIGGER actions_state_transition BEFORE UPDATE OF state ON actions
WHEN NOT (
       (OLD.state = 'awaiting_approval' AND NEW.state IN ('approved', 'denied', 'cancelled', 'expired'))
    OR (OLD.state = 'approved' AND NEW.state IN ('running', 'failed', 'interrupted'))
    OR (OLD.state = 'running' AND NEW.state IN ('succeeded', 'failed', 'interrupted')))
BEGIN SELECT RAISE(ABORT, 'illegal action state transition'); END;

CREATE TRIGGER actions_immutable BEFORE UPDATE OF seq, family, requester, plan_json, plan_digest,
    required_approvals, created_at_ms, expires_at_ms ON actions
BEGIN SELECT RAISE(ABORT, 'action request fields are immutable'); END;

CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'actions are never deleted'); END;
)sql";

// One row per decision; UNIQUE(action_seq, user_id) makes a second click by the same person impossible.
constexpr std::string_view approvals_sql = R"sql(
CREATE TABLE approvals (
    id             INTEGER PRIMARY KEY,
    action_seq     INTEGER NOT NULL REFERENCES actions (seq),
    user_id        TEXT    NOT NULL,
    decision       TEXT    NOT NULL CHECK (decision IN ('approve', 'deny')),
    plan_digest    TEXT    NOT NULL,
    decided_at_ms  INTEGER NOT NULL,
    UNIQUE (action_seq, user_id)
);
CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals
BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
)sql";

// The primary key is the atomic claim: two claimers inside their transactions cannot both insert.
constexpr std::string_view locks_sql = R"sql(
CREATE TABLE locks (
    service         TEXT    NOT NULL,
    environment     TEXT    NOT NULL,
    owner           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    acquired_at_ms  INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (service, environment)
);
CREATE INDEX locks_by_owner ON locks (owner);
)sql";

constexpr std::string_view audit_sql = R"sql(
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    time       TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action_id  TEXT,
    event      TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (time);
CREATE INDEX audit_by_action ON audit_log (action_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

constexpr std::string_view seen_envelopes_sql = R"sql(
CREATE TABLE seen_envelopes (
    key         TEXT    PRIMARY KEY,
    seen_at_ms  INTEGER NOT NULL
);
CREATE INDEX seen_envelopes_by_time ON seen_envelopes (seen_at_ms);
)sql";

constexpr std::array<migration, 5> migrations{{
    {1, "create actions and their state machine", actions_sql},
    {2, "create approvals", approvals_sql},
    {3, "create locks", locks_sql},
    {4, "create the hash-chained audit log", audit_sql},
    {5, "create seen envelopes", seen_envelopes_sql},
}};

}  // namespace

std::span<const migration> schema_migrations() {
    return migrations;
}

}  // namespace opsbot::storage
