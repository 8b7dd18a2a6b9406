#include "storage/action_rows.hpp"

#include <fmt/format.h>

#include "storage/audit_log.hpp"
#include "storage/lock_store.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage::detail {

const char* const action_columns =
    "SELECT seq, family, subject, requester, channel, message_ts, plan_json, plan_digest, required_approvals, "
    "state, created_at_ms, expires_at_ms, updated_at_ms FROM actions";

action_record read_action(const sql::statement& row) {
    action_record a;
    a.id = make_action_id(row.column(0).as_int64());
    a.family = row.column(1).as_string();
    a.subject = row.column(2).as_string();
    a.requester = user_id{row.column(3).as_string()};
    a.channel = channel_id{row.column(4).as_string()};
    if (!row.column(5).is_null()) {
        a.message_ts = row.column(5).as_string();
    }
    a.plan_json = row.column(6).as_string();
    a.plan_digest = row.column(7).as_string();
    a.required_approvals = row.column(8).as_int();
    std::string state = row.column(9).as_string();
    auto parsed = parse_action_state(state);
    if (!parsed) {
        // The CHECK constraint makes this unreachable short of a schema edit.
        throw std::runtime_error("action " + a.id.str() + " has unknown state " + state);
    }
    a.state = *parsed;
    a.created_at = from_unix_ms(row.column(10).as_int64());
    a.expires_at = from_unix_ms(row.column(11).as_int64());
    a.updated_at = from_unix_ms(row.column(12).as_int64());
    return a;
}

std::optional<action_record> load_action(sql::connection& conn, std::int64_t seq) {
    sql::statement query(conn, std::string(action_columns) + " WHERE seq = ?");
    query.bind(1, seq);
    if (!query.step()) {
        return std::nullopt;
    }
    return read_action(query);
}

result<action_record> find_action(sql::connection& conn, const action_id& id) {
    auto seq = action_seq(id);
    std::optional<action_record> found;
    if (seq) {
        found = load_action(conn, *seq);
    }
    if (!found) {
        return fail(error_kind::not_found, fmt::format("there is no action {}", id.str().substr(0, 40)));
    }
    return *found;
}

result<void> transition_in(database::session& session, clock::time_point now, const action_record& action,
                           action_state from, action_state to, const std::string& actor, boost::json::object detail,
                           locks_at_end locks) {
    if (!can_transition(from, to)) {
        return fail(error_kind::conflict, fmt::format("action {} cannot go from {} to {}", action.id.str(),
                                                      to_string(from), to_string(to)));
    }
    auto& conn = session.sql();
    // The replica that approves or starts an action owns it (storage/replica_store.hpp); other moves keep the owner.
    const bool claims = !session.replica().empty() && (to == action_state::approved || to == action_state::running);
    sql::statement update(conn, claims ? "UPDATE actions SET state = ?, updated_at_ms = ?, owner = ? "
                                         "WHERE seq = ? AND state = ?"
                                       : "UPDATE actions SET state = ?, updated_at_ms = ? WHERE seq = ? AND state = ?");
    int next = 1;
    update.bind(next++, std::string(to_string(to)));
    update.bind(next++, to_unix_ms(now));
    if (claims) {
        update.bind(next++, session.replica());
    }
    update.bind(next++, *action_seq(action.id));
    update.bind(next++, std::string(to_string(from)));
    if (update.exec() == 0) {
        auto current = load_action(conn, *action_seq(action.id));
        return fail(error_kind::conflict,
                    fmt::format("action {} is {}, not {}", action.id.str(),
                                current ? to_string(current->state) : std::string_view("gone"), to_string(from)));
    }
    detail["from"] = to_string(from);
    detail["to"] = to_string(to);
    audit_log::append_in(session, now,
                         audit_input{actor, action.id, fmt::format("action.{}", to_string(to)), std::move(detail)});
    if (is_terminal(to) && locks == locks_at_end::release) {
        lock_store::release_owned_in(session, now, action.id.str(), actor);
    }
    return {};
}

const char* const acting_actions =
    "state IN ('running', 'approved') AND seq NOT IN (SELECT action_seq FROM person_waits) "
    "AND seq NOT IN (SELECT action_seq FROM poll_waits)";

const char* const waiting_actions =
    "state = 'running' AND (seq IN (SELECT action_seq FROM person_waits) "
    "OR seq IN (SELECT action_seq FROM poll_waits))";

std::vector<action_record> select_actions(sql::connection& conn, const std::string& where,
                                          const std::vector<sql::value>& params) {
    sql::statement query(conn, std::string(action_columns) + " WHERE " + where + " ORDER BY seq");
    int index = 1;
    for (const auto& param : params) {
        query.bind(index++, param);
    }
    std::vector<action_record> found;
    while (query.step()) {
        found.push_back(read_action(query));
    }
    return found;
}

result<std::vector<action_record>> move_all_in(database::session& session, clock::time_point now,
                                               const std::string& where, const std::vector<sql::value>& params,
                                               action_state to, const char* reason, locks_at_end locks) {
    std::vector<action_record> found = select_actions(session.sql(), where, params);
    for (auto& action : found) {
        auto done = transition_in(session, now, action, action.state, to, "opsbot", {{"reason", reason}}, locks);
        if (!done) {
            return std::unexpected(done.error());
        }
        action.state = to;
        action.updated_at = now;
    }
    return found;
}

}  // namespace opsbot::storage::detail
