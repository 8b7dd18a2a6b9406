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

action_record read_action(SQLite::Statement& row) {
    action_record a;
    a.id = make_action_id(row.getColumn(0).getInt64());
    a.family = row.getColumn(1).getString();
    a.subject = row.getColumn(2).getString();
    a.requester = user_id{row.getColumn(3).getString()};
    a.channel = channel_id{row.getColumn(4).getString()};
    if (!row.getColumn(5).isNull()) {
        a.message_ts = row.getColumn(5).getString();
    }
    a.plan_json = row.getColumn(6).getString();
    a.plan_digest = row.getColumn(7).getString();
    a.required_approvals = row.getColumn(8).getInt();
    std::string state = row.getColumn(9).getString();
    auto parsed = parse_action_state(state);
    if (!parsed) {
        // The CHECK constraint makes this unreachable short of a schema edit.
        throw std::runtime_error("action " + a.id.str() + " has unknown state " + state);
    }
    a.state = *parsed;
    a.created_at = from_unix_ms(row.getColumn(10).getInt64());
    a.expires_at = from_unix_ms(row.getColumn(11).getInt64());
    a.updated_at = from_unix_ms(row.getColumn(12).getInt64());
    return a;
}

std::optional<action_record> load_action(SQLite::Database& sql, std::int64_t seq) {
    SQLite::Statement query(sql, std::string(action_columns) + " WHERE seq = ?");
    query.bind(1, seq);
    if (!query.executeStep()) {
        return std::nullopt;
    }
    return read_action(query);
}

result<action_record> find_action(SQLite::Database& sql, const action_id& id) {
    auto seq = action_seq(id);
    std::optional<action_record> found;
    if (seq) {
        found = load_action(sql, *seq);
    }
    if (!found) {
        return fail(error_kind::not_found, fmt::format("there is no action {}", id.str().substr(0, 40)));
    }
    return *found;
}

result<void> transition_in(database::session& session, clock::time_point now, const action_record& action,
                           action_state from, action_state to, const std::string& actor, boost::json::object detail) {
    if (!can_transition(from, to)) {
        return fail(error_kind::conflict, fmt::format("action {} cannot go from {} to {}", action.id.str(),
                                                      to_string(from), to_string(to)));
    }
    auto& sql = session.sql();
    SQLite::Statement update(sql, "UPDATE actions SET state = ?, updated_at_ms = ? WHERE seq = ? AND state = ?");
    update.bind(1, std::string(to_string(to)));
    update.bind(2, to_unix_ms(now));
    update.bind(3, *action_seq(action.id));
    update.bind(4, std::string(to_string(from)));
    if (update.exec() == 0) {
        auto current = load_action(sql, *action_seq(action.id));
        return fail(error_kind::conflict,
                    fmt::format("action {} is {}, not {}", action.id.str(),
                                current ? to_string(current->state) : std::string_view("gone"), to_string(from)));
    }
    detail["from"] = to_string(from);
    detail["to"] = to_string(to);
    audit_log::append_in(session, now,
                         audit_input{actor, action.id, fmt::format("action.{}", to_string(to)), std::move(detail)});
    if (is_terminal(to)) {
        lock_store::release_owned_in(session, now, action.id.str(), actor);
    }
    return {};
}

}  // namespace opsbot::storage::detail
