#include "storage/replica_store.hpp"

#include <limits>

#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

boost::json::array json_strings(const std::vector<std::string>& values) {
    boost::json::array out;
    for (const auto& v : values) {
        out.emplace_back(v);
    }
    return out;
}

boost::json::array ids_of(const std::vector<action_record>& actions) {
    boost::json::array out;
    for (const auto& a : actions) {
        out.emplace_back(a.id.str());
    }
    return out;
}

/// The one write of a replica's row: registered anew (`restart`: its start time too) or renewed, lease until `now +
/// lease`.
void upsert_lease(sql::connection& conn, const std::string& id, std::int64_t now, std::chrono::milliseconds lease,
                  bool restart) {
    sql::statement upsert(conn, std::string("INSERT INTO replicas (id, started_at_ms, heartbeat_at_ms, lease_until_ms) "
                                            "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ") +
                                    (restart ? "started_at_ms = excluded.started_at_ms, " : "") +
                                    "heartbeat_at_ms = excluded.heartbeat_at_ms, "
                                    "lease_until_ms = excluded.lease_until_ms");
    upsert.bind(1, id);
    upsert.bind(2, now);
    upsert.bind(3, now);
    upsert.bind(4, now + lease.count());
    upsert.exec();
}

}  // namespace

result<void> replica_store::enrol(const std::string& id) {
    if (id.empty()) {
        return fail(error_kind::invalid_input, "a replica needs an id");
    }
    return detail::guarded("register a replica", [&]() -> result<void> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        upsert_lease(conn, id, to_unix_ms(clock_.now()), lease_, true);
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
        upsert_lease(conn, id, now, lease_, false);
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

result<bool> replica_store::leads(const std::string& id) {
    return detail::guarded("find the leading replica", [&]() -> result<bool> {
        const auto now = to_unix_ms(clock_.now());
        auto session = db_.acquire();
        auto& conn = session.sql();
        std::optional<std::int64_t> started;
        bool live = false;
        {
            sql::statement mine(conn, "SELECT started_at_ms, lease_until_ms FROM replicas WHERE id = ?");
            mine.bind(1, id);
            if (mine.step()) {
                started = mine.column(0).as_int64();
                live = mine.column(1).as_int64() > now;
            }
        }
        // The other replicas whose lease is on, and those of them that started before this one (ties: by id).
        auto count = [&](const std::string& where, const std::vector<sql::value>& params) {
            sql::statement query(conn, "SELECT COUNT(*) FROM replicas WHERE id <> ? AND lease_until_ms > ?" + where);
            query.bind(1, id);
            query.bind(2, now);
            int index = 3;
            for (const auto& p : params) {
                query.bind(index++, p);
            }
            return query.step() ? query.column(0).as_int64() : 0;
        };
        const std::int64_t mine_started = started.value_or(std::numeric_limits<std::int64_t>::max());
        const std::int64_t live_others = count("", {});
        const std::int64_t older =
            count(" AND (started_at_ms < ? OR (started_at_ms = ? AND id < ?))", {mine_started, mine_started, id});
        // Alone, it leads whatever its lease says (a manual clock may have jumped past it); among live replicas
        // only with a live lease of its own, so that a slow one and its successor never both lead.
        return older == 0 && (live || live_others == 0);
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
        std::vector<std::string> dead;
        {
            sql::statement query(conn, only_expired ? "SELECT id FROM replicas WHERE id <> ? AND lease_until_ms <= ? "
                                                      "ORDER BY id"
                                                    : "SELECT id FROM replicas WHERE id <> ? ORDER BY id");
            query.bind(1, me);
            if (only_expired) {
                query.bind(2, now_ms);
            }
            while (query.step()) {
                dead.push_back(query.column(0).as_string());
            }
        }
        taken_over out;
        // Other replicas may live (only_expired): the owner may be slow rather than dead, its step still acting, so
        // an interrupted action keeps its locks until their expiry or until that replica sees it lost the run
        // (model/replicas.pml, fix.keep_locks_on_takeover). Under the instance lock every other process is dead.
        auto moved = detail::move_all_in(session, now, std::string(detail::acting_actions) + dead_owner, params,
                                         action_state::interrupted, reason.c_str(),
                                         only_expired ? detail::locks_at_end::keep : detail::locks_at_end::release);
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
        if (!dead.empty() || !out.interrupted.empty() || !out.waiting.empty()) {
            audit_log::append_in(session, now, audit_input{"opsbot", std::nullopt, "replica.taken_over",
                                                           {{"by", me},
                                                            {"replicas", json_strings(dead)},
                                                            {"interrupted", ids_of(out.interrupted)},
                                                            {"resumed", ids_of(out.waiting)}}});
        }
        transaction.commit();
        return out;
    });
}

}  // namespace opsbot::storage
