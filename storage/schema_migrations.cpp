#include "storage/schema_migrations.hpp"

#include <array>

namespace opsbot::storage {
namespace {

// Times are INTEGER milliseconds since the Unix epoch, except in audit_log, whose ISO-8601 text is part of the
// hashed entry. The transition trigger of the newest actions migration (8, below) must match can_transition() in
// action_state.cpp; a unit test tries every pair of states against both.
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

// Break-glass use (issue #7): one row per action that skipped approval; it stays unreviewed until another allowed
// approver acknowledges it. The reason and who used it never change; the acknowledgement is set once.
constexpr std::string_view break_glass_sql = R"sql(
CREATE TABLE break_glass (
    action_seq         INTEGER PRIMARY KEY REFERENCES actions (seq),
    requester          TEXT    NOT NULL,
    reason             TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    used_at_ms         INTEGER NOT NULL,
    incident_channel   TEXT,
    incident_ts        TEXT,
    acknowledged_by    TEXT,
    acknowledged_at_ms INTEGER,
    CHECK (acknowledged_by IS NULL OR acknowledged_by <> requester)
);
CREATE TRIGGER break_glass_immutable BEFORE UPDATE OF action_seq, requester, reason, used_at_ms ON break_glass
BEGIN SELECT RAISE(ABORT, 'break-glass use is immutable'); END;
CREATE TRIGGER break_glass_ack_once BEFORE UPDATE OF acknowledged_by ON break_glass
WHEN OLD.acknowledged_by IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'break-glass use is already acknowledged'); END;
CREATE TRIGGER break_glass_no_delete BEFORE DELETE ON break_glass
BEGIN SELECT RAISE(ABORT, 'break-glass use is never deleted'); END;
)sql";

// Post-deploy watches (issue #7, runbook §7 "the first 15 minutes"): one per action that succeeded, resumed after
// a restart. A watch ends once, quiet or fired.
constexpr std::string_view watches_sql = R"sql(
CREATE TABLE watches (
    action_seq        INTEGER PRIMARY KEY REFERENCES actions (seq),
    family            TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    service           TEXT    NOT NULL,
    environment       TEXT    NOT NULL,
    requester         TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    thread_ts         TEXT    NOT NULL,
    started_at_ms     INTEGER NOT NULL,
    ends_at_ms        INTEGER NOT NULL CHECK (ends_at_ms > started_at_ms),
    next_check_at_ms  INTEGER NOT NULL,
    checks            INTEGER NOT NULL DEFAULT 0,
    failed_checks     INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL CHECK (state IN ('watching', 'quiet', 'fired')),
    closed_at_ms      INTEGER
);
CREATE INDEX watches_by_state ON watches (state, next_check_at_ms);
CREATE TRIGGER watches_insert_state BEFORE INSERT ON watches
WHEN NEW.state <> 'watching'
BEGIN SELECT RAISE(ABORT, 'a new watch must start watching'); END;
CREATE TRIGGER watches_state_transition BEFORE UPDATE OF state ON watches
WHEN NOT (OLD.state = 'watching' AND NEW.state IN ('quiet', 'fired'))
BEGIN SELECT RAISE(ABORT, 'illegal watch state transition'); END;
CREATE TRIGGER watches_no_delete BEFORE DELETE ON watches
BEGIN SELECT RAISE(ABORT, 'watches are never deleted'); END;
)sql";

// The Stop button (issue 12): running -> stopped. SQLite cannot change a CHECK constraint in place, so the table
// is rebuilt (sqlite.org/lang_altertable.html, "other kinds of table schema changes") inside the one migration
// transaction, with foreign keys still on: defer_foreign_keys lets approvals, break_glass and watches point at no
// row between the DROP and the re-INSERT; the commit fails if any of them still would. DROP TABLE fires no
// triggers (actions_no_delete does not stop it) and takes the old triggers and index with it. Never ALTER … RENAME
// the old table away: that would rewrite the other tables' REFERENCES to follow it. Ids are not reused after it:
// re-inserting the rows sets sqlite_sequence to the highest seq, which is the old counter (actions are never deleted).
constexpr std::string_view actions_stopped_sql = R"sql(
PRAGMA defer_foreign_keys = ON;
CREATE TABLE actions_before_v8 AS SELECT * FROM actions;
DROP TABLE actions;
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
                                   'failed', 'denied', 'cancelled', 'expired', 'interrupted', 'stopped')),
    created_at_ms      INTEGER NOT NULL,
    expires_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL
);
INSERT INTO actions (seq, family, subject, requester, channel, message_ts, plan_json, plan_digest,
                     required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms)
    SELECT seq, family, subject, requester, channel, message_ts, plan_json, plan_digest,
           required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms
    FROM actions_before_v8 ORDER BY seq;
DROP TABLE actions_before_v8;
CREATE INDEX actions_by_state ON actions (state, expires_at_ms);

CREATE TRIGGER actions_insert_state BEFORE INSERT ON actions
WHEN NEW.state <> 'awaiting_approval'
BEGIN SELECT RAISE(ABORT, 'a new action must start awaiting_approval'); END;

CREATE TRIGGER actions_state_transition BEFORE UPDATE OF state ON actions
WHEN NOT (
       (OLD.state = 'awaiting_approval' AND NEW.state IN ('approved', 'denied', 'cancelled', 'expired'))
    OR (OLD.state = 'approved' AND NEW.state IN ('running', 'failed', 'interrupted'))
    OR (OLD.state = 'running' AND NEW.state IN ('succeeded', 'failed', 'interrupted', 'stopped')))
BEGIN SELECT RAISE(ABORT, 'illegal action state transition'); END;

CREATE TRIGGER actions_immutable BEFORE UPDATE OF seq, family, requester, plan_json, plan_digest,
    required_approvals, created_at_ms, expires_at_ms ON actions
BEGIN SELECT RAISE(ABORT, 'action request fields are immutable'); END;

CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'actions are never deleted'); END;
)sql";

// Waits for a person (docs/design.md "Actions and steps": waits are data, not threads): a running action whose step
// waits for a person (`/rotate SECRET --continue`) has one row here and no thread; a continue, Stop or the deadline
// takes the row (whoever deletes it ends the wait), and after a restart the action keeps waiting instead of being
// reported interrupted. `memo_json` is what the step read before the wait (fingerprints, never secret values).
constexpr std::string_view person_waits_sql = R"sql(
CREATE TABLE person_waits (
    action_seq    INTEGER PRIMARY KEY REFERENCES actions (seq),
    step_index    INTEGER NOT NULL CHECK (step_index >= 0),
    wait_key      TEXT    NOT NULL UNIQUE,
    requester     TEXT    NOT NULL,
    deadline_ms   INTEGER NOT NULL,
    memo_json     TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX person_waits_by_deadline ON person_waits (deadline_ms);
)sql";

// A step waiting for a platform (storage/poll_store.hpp): next_poll_ms is on the poll clock (real time) and is
// also the claim token of the poll timer; deadline_ms is on the bot's clock.
constexpr std::string_view poll_waits_sql = R"sql(
CREATE TABLE poll_waits (
    action_seq    INTEGER PRIMARY KEY REFERENCES actions (seq),
    step_index    INTEGER NOT NULL CHECK (step_index >= 0),
    deadline_ms   INTEGER NOT NULL,
    next_poll_ms  INTEGER NOT NULL,
    polls         INTEGER NOT NULL CHECK (polls >= 0),
    memo_json     TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX poll_waits_by_next_poll ON poll_waits (next_poll_ms);
)sql";

// Replicas (issue 14 item 2): each `opsbot run` process registers here and renews its lease by heartbeat; a running
// (or approved) action names the replica that owns it. When an owner's lease runs out, another replica takes its work
// over (storage/replica_store.hpp). NULL owner: no owner recorded (an action from before this migration).
constexpr std::string_view replicas_sql = R"sql(
CREATE TABLE replicas (
    id              TEXT    PRIMARY KEY,
    started_at_ms   INTEGER NOT NULL,
    heartbeat_at_ms INTEGER NOT NULL,
    lease_until_ms  INTEGER NOT NULL
);
ALTER TABLE actions ADD COLUMN owner TEXT;
)sql";

constexpr std::array<migration, 11> migrations{{
    {1, "create actions and their state machine", actions_sql},
    {2, "create approvals", approvals_sql},
    {3, "create locks", locks_sql},
    {4, "create the hash-chained audit log", audit_sql},
    {5, "create seen envelopes", seen_envelopes_sql},
    {6, "create break-glass uses", break_glass_sql},
    {7, "create post-deploy watches", watches_sql},
    {8, "actions: the stopped state (Stop button)", actions_stopped_sql},
    {9, "create waits for a person", person_waits_sql},
    {10, "create deployment polls", poll_waits_sql},
    {11, "create replicas and action owners", replicas_sql},
}};

}  // namespace

std::span<const migration> schema_migrations() {
    return migrations;
}

}  // namespace opsbot::storage
