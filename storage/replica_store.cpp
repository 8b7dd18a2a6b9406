#include "storage/replica_store.hpp"

#include "storage/action_rows.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {

result<void> replica_store::enrol(const std::string& id) {
    if (id.empty()) {
        return fail(error_kind::invalid_input, "a replica needs an id");
    }
    return detail::guarded("register a replica", [&]() -> result<void> {
        const auto now = to_unix_ms(clock_.now());
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        sql::statement upsert(conn,
                              "INSERT INTO replicas (id, started_at_ms, heartbeat_at_ms, lease_until_ms) "
                              "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET started_at_ms = excluded.started_at_ms, "
                              "heartbeat_at_ms = excluded.heartbeat_at_ms, lease_until_ms = excluded.lease_until_ms");
        upsert.bind(1, id);
        upsert.bind(2, now);
        upsert.bind(3, now);
        upsert.bind(4, now + lease_.count());
        upsert.exec();
        transaction.commit();
        return {};
    });
}

result<bool> replica_store::heartbeat(const std::string& id) {
    return detail::guarded("renew a replica's lease", [&]() -> result<bool> {
        const auto now = to_unix_ms(clock_.now());
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        bool was_live = false;
        {
            sql::statement query(conn, "SELECT lease_until_ms FROM replicas WHERE id = ?");
            query.bind(1, id);
            was_live = query.step() && query.column(0).as_int64() > now;
        }
        sql::statement upsert(conn,
                              "INSERT INTO replicas (id, started_at_ms, heartbeat_at_ms, lease_until_ms) "
                              "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                              "heartbeat_at_ms = excluded.heartbeat_at_ms, lease_until_ms = excluded.lease_until_ms");
        upsert.bind(1, id);
        upsert.bind(2, now);
        upsert.bind(3, now);
        upsert.bind(4, now + lease_.count());
        upsert.exec();
        transaction.commit();
        return was_live;
    });
}

result<std::vector<std::string>> replica_store::expired() {
    return detail::guarded("list expired replicas", [&]() -> result<std::vector<std::string>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(),
                             "SELECT id FROM replicas WHERE lease_until_ms <= ? ORDER BY lease_until_ms, id");
        query.bind(1, to_unix_ms(clock_.now()));
        std::vector<std::string> out;
        while (query.step()) {
            out.push_back(query.column(0).as_string());
        }
        return out;
    });
}

result<void> replica_store::leave(const std::string& id) {
    return detail::guarded("remove a replica", [&]() -> result<void> {
        auto session = db_.acquire();
        sql::statement remove(session.sql(), "DELETE FROM replicas WHERE id = ?");
        remove.bind(1, id);
        remove.exec();
        return {};
    });
}

result<taken_over> replica_store::take_over_expired(const std::string& me, const std::string& reason) {
    return take_over(me, true, reason);
}

result<taken_over> replica_store::take_over_all_but(const std::string& me, const std::string& reason) {
    return take_over(me, false, reason);
}

result<taken_over> replica_store::take_over(const std::string& me, bool only_expired, const std::string& reason) {
    if (me.empty()) {
        return fail(error_kind::invalid_input, "a takeover needs the taker's replica id");
    }
    return detail::guarded("take over a dead replica's actions", [&]() -> result<taken_over> {
        const auto now = clock_.now();
        const auto now_ms = to_unix_ms(now);
        auto session = db_.acquire();
        auto& conn = session.sql();
        // One write transaction: writers serialise (SQLite BEGIN IMMEDIATE, PostgreSQL's cluster-wide write lock), so
        // a second taker finds the first one's result — interrupted, or owned by a live replica — and takes nothing.
        sql::transaction transaction(conn);
        // Whose work: no owner recorded, or an owner other than `me` that is dead (no live lease, or, at a start
        // under the instance lock, any other replica at all).
        const std::string dead_owner =
            only_expired ? " AND (owner IS NULL OR (owner <> ? AND owner NOT IN "
                           "(SELECT id FROM replicas WHERE lease_until_ms > ?)))"
                         : " AND (owner IS NULL OR owner <> ?)";
        std::vector<sql::value> params{me};
        if (only_expired) {
            params.emplace_back(now_ms);
        }
        taken_over out;
        auto moved = detail::move_all_in(session, now, std::string(detail::acting_actions) + dead_owner, params,
                                         action_state::interrupted, reason.c_str());
        if (!moved) {
            return std::unexpected(moved.error());
        }
        out.interrupted = std::move(*moved);
        out.waiting = detail::select_actions(conn, std::string(detail::waiting_actions) + dead_owner, params);
        for (const auto& action : out.waiting) {
            sql::statement claim(conn, "UPDATE actions SET owner = ? WHERE seq = ?");
            claim.bind(1, me);
            claim.bind(2, *detail::action_seq(action.id));
            claim.exec();
        }
        sql::statement forget(conn, only_expired ? "DELETE FROM replicas WHERE id <> ? AND lease_until_ms <= ?"
                                                 : "DELETE FROM replicas WHERE id <> ?");
        forget.bind(1, me);
        if (only_expired) {
            forget.bind(2, now_ms);
        }
        forget.exec();
        transaction.commit();
        return out;
    });
}

}  // namespace opsbot::storage
