#include "storage/action_store.hpp"

#include <fmt/format.h>

#include "core/redactor.hpp"
#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

std::string redact_logged(std::string_view what, const std::string& text) {
    std::string clean = global_redactor().redact(text);
    if (clean != text) {
        spdlog::warn("storage: the {} of a new action contained a secret; it was redacted before storing", what);
    }
    return clean;
}

}  // namespace

result<action_id> action_store::create(const new_action& request) {
    if (request.family.empty() || request.requester.empty() || request.channel.empty() ||
        request.plan_digest.empty()) {
        return fail(error_kind::invalid_input, "an action needs a family, a requester, a channel and a plan digest");
    }
    if (request.required_approvals < 1) {
        return fail(error_kind::invalid_input, "an action needs at least one approval");
    }
    return detail::guarded("create an action", [&]() -> result<action_id> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        std::string subject = redact_logged("subject", request.subject);
        sql::statement insert(conn,
                                 "INSERT INTO actions (family, subject, requester, channel, plan_json, plan_digest, "
                                 "required_approvals, state, created_at_ms, expires_at_ms, updated_at_ms) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, 'awaiting_approval', ?, ?, ?) RETURNING seq");
        insert.bind(1, request.family);
        insert.bind(2, subject);
        insert.bind(3, request.requester.str());
        insert.bind(4, request.channel.str());
        insert.bind(5, redact_logged("plan", request.plan_json));
        insert.bind(6, request.plan_digest);
        insert.bind(7, request.required_approvals);
        insert.bind(8, to_unix_ms(now));
        insert.bind(9, to_unix_ms(request.expires_at));
        insert.bind(10, to_unix_ms(now));
        insert.step();
        action_id id = detail::make_action_id(insert.column(0).as_int64());
        audit_log::append_in(session, now,
                             audit_input{request.requester.str(),
                                         id,
                                         "action.requested",
                                         {{"family", request.family},
                                          {"subject", subject},
                                          {"channel", request.channel.str()},
                                          {"plan_digest", request.plan_digest},
                                          {"required_approvals", request.required_approvals},
                                          {"expires_at", format_iso8601_ms(request.expires_at)}}});
        transaction.commit();
        return id;
    });
}

result<action_record> action_store::get(const action_id& id) {
    return detail::guarded("read an action", [&]() -> result<action_record> {
        auto session = db_.acquire();
        return detail::find_action(session.sql(), id);
    });
}

result<void> action_store::set_message(const action_id& id, const channel_id& channel, const std::string& ts) {
    return detail::guarded("record an action's message", [&]() -> result<void> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto action = detail::find_action(conn, id);
        if (!action) {
            return std::unexpected(action.error());
        }
        sql::statement update(conn, "UPDATE actions SET channel = ?, message_ts = ? WHERE seq = ?");
        update.bind(1, channel.str());
        update.bind(2, ts);
        update.bind(3, *detail::action_seq(id));
        update.exec();
        transaction.commit();
        return {};
    });
}

result<void> action_store::transition(const action_id& id, action_state from, action_state to,
                                      const std::string& actor, boost::json::object detail) {
    return detail::guarded("change an action's state", [&]() -> result<void> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto action = detail::find_action(conn, id);
        if (!action) {
            return std::unexpected(action.error());
        }
        auto done = detail::transition_in(session, clock_.now(), *action, from, to, actor, std::move(detail));
        if (!done) {
            return done;
        }
        transaction.commit();
        return {};
    });
}

result<std::vector<action_record>> action_store::list(action_state state) {
    return detail::guarded("list actions", [&]() -> result<std::vector<action_record>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(detail::action_columns) + " WHERE state = ? ORDER BY seq");
        query.bind(1, std::string(to_string(state)));
        std::vector<action_record> out;
        while (query.step()) {
            out.push_back(detail::read_action(query));
        }
        return out;
    });
}

namespace {

// Moves every action matching `where` to `to`, each with its audit entry, all in one transaction.
result<std::vector<action_record>> move_all(database& db, clock::time_point now, const std::string& where,
                                            const std::vector<sql::value>& params, action_state to,
                                            const char* reason) {
    auto session = db.acquire();
    sql::transaction transaction(session.sql());
    auto moved = detail::move_all_in(session, now, where, params, to, reason);
    if (moved) {
        transaction.commit();
    }
    return moved;
}

}  // namespace

result<std::vector<action_record>> action_store::mark_interrupted(const std::string& reason, bool only_mine) {
    return detail::guarded("mark interrupted actions", [&]() {
        // Among replicas, this process stops only what it runs; the others' work is theirs (storage/replica_store.hpp).
        const std::string me = only_mine ? db_.replica() : std::string();
        if (me.empty()) {
            return move_all(db_, clock_.now(), detail::acting_actions, {}, action_state::interrupted, reason.c_str());
        }
        return move_all(db_, clock_.now(), std::string(detail::acting_actions) + " AND owner = ?", {me},
                        action_state::interrupted, reason.c_str());
    });
}

result<bool> action_store::claim(const action_id& id) {
    return detail::guarded("claim a running action", [&]() -> result<bool> {
        auto session = db_.acquire();
        if (session.replica().empty()) {
            return false;
        }
        auto seq = detail::action_seq(id);
        if (!seq) {
            return fail(error_kind::not_found, "there is no action " + id.str().substr(0, 40));
        }
        sql::statement update(session.sql(), "UPDATE actions SET owner = ? WHERE seq = ? AND state = 'running'");
        update.bind(1, session.replica());
        update.bind(2, *seq);
        return update.exec() > 0;
    });
}

result<void> action_store::start_step(const action_id& id, const audit_input& entry) {
    return detail::guarded("start a step", [&]() -> result<void> {
        auto seq = detail::action_seq(id);
        if (!seq) {
            return fail(error_kind::not_found, "there is no action " + id.str().substr(0, 40));
        }
        const auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        std::string state;
        std::optional<std::string> owner;
        {
            sql::statement query(conn, "SELECT state, owner FROM actions WHERE seq = ?");
            query.bind(1, *seq);
            if (!query.step()) {
                return fail(error_kind::not_found, "there is no action " + id.str());
            }
            state = query.column(0).as_string();
            if (!query.column(1).is_null()) {
                owner = query.column(1).as_string();
            }
        }
        if (state != to_string(action_state::running)) {
            return fail(error_kind::conflict, fmt::format("{} is {}, no longer running", id.str(), state));
        }
        const std::string& me = session.replica();
        if (!me.empty() && owner && *owner != me) {
            return fail(error_kind::conflict,
                        fmt::format("another opsbot replica ({}) took {} over; this one ({}) lost its lease", *owner,
                                    id.str(), me));
        }
        if (!me.empty() && !owner) {
            sql::statement claim(conn, "UPDATE actions SET owner = ? WHERE seq = ?");
            claim.bind(1, me);
            claim.bind(2, *seq);
            claim.exec();
        }
        audit_log::append_in(session, now, entry);
        transaction.commit();
        return {};
    });
}

result<std::optional<std::string>> action_store::owner_of(const action_id& id) {
    return detail::guarded("read an action's owner", [&]() -> result<std::optional<std::string>> {
        auto seq = detail::action_seq(id);
        auto session = db_.acquire();
        sql::statement query(session.sql(), "SELECT owner FROM actions WHERE seq = ?");
        query.bind(1, seq.value_or(0));
        if (!query.step()) {
            return fail(error_kind::not_found, "there is no action " + id.str().substr(0, 40));
        }
        if (query.column(0).is_null()) {
            return std::optional<std::string>();
        }
        return std::optional<std::string>(query.column(0).as_string());
    });
}

result<std::vector<action_record>> action_store::mark_interrupted_at_startup() {
    return mark_interrupted("opsbot restarted before the action finished; it was not re-run", false);
}

result<std::vector<action_record>> action_store::mark_interrupted_at_shutdown() {
    return mark_interrupted("opsbot was stopped before the action finished (its shutdown grace ran out)", true);
}

result<std::vector<action_record>> action_store::sweep_expired() {
    return detail::guarded("expire old requests", [&]() {
        auto now = clock_.now();
        return move_all(db_, now, "state = 'awaiting_approval' AND expires_at_ms <= ?", {to_unix_ms(now)},
                        action_state::expired, "no decision before the request expired");
    });
}

}  // namespace opsbot::storage
