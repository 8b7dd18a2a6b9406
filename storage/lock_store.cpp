#include "storage/lock_store.hpp"

#include <fmt/format.h>

#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

constexpr const char* lock_columns =
    "SELECT service, environment, owner, reason, acquired_at_ms, expires_at_ms FROM locks";

lock_record read_lock(const sql::statement& row) {
    return lock_record{row.column(0).as_string(),          row.column(1).as_string(),
                       row.column(2).as_string(),          row.column(3).as_string(),
                       from_unix_ms(row.column(4).as_int64()), from_unix_ms(row.column(5).as_int64())};
}

std::optional<lock_record> find_lock(sql::connection& conn, const std::string& service, const std::string& env) {
    sql::statement query(conn, std::string(lock_columns) + " WHERE service = ? AND environment = ?");
    query.bind(1, service);
    query.bind(2, env);
    if (!query.step()) {
        return std::nullopt;
    }
    return read_lock(query);
}

// The audit entry names the action when the owner is one.
std::optional<action_id> owner_action(const std::string& owner) {
    action_id id{owner};
    if (detail::action_seq(id)) {
        return id;
    }
    return std::nullopt;
}

void audit_lock(database::session& session, clock::time_point now, const std::string& actor, const char* event,
                const lock_record& lock, boost::json::object extra = {}) {
    extra["service"] = lock.service;
    extra["environment"] = lock.environment;
    extra["owner"] = lock.owner;
    extra["reason"] = lock.reason;
    extra["expires_at"] = format_iso8601_ms(lock.expires_at);
    audit_log::append_in(session, now, audit_input{actor, owner_action(lock.owner), event, std::move(extra)});
}

void delete_lock(sql::connection& conn, const lock_record& lock) {
    sql::statement del(conn, "DELETE FROM locks WHERE service = ? AND environment = ?");
    del.bind(1, lock.service);
    del.bind(2, lock.environment);
    del.exec();
}

// Why an approver may release `held`, which someone else holds: its owner is gone (an action that ended, or none)
// or it is a person's lock. A lock of an action still under way is forbidden: Stop that action instead.
result<std::string> owner_gone(sql::connection& conn, const lock_record& held) {
    auto owner = owner_action(held.owner);
    if (!owner) {
        return std::string("a person's lock");
    }
    auto action = detail::find_action(conn, *owner);
    if (action && !is_terminal(action->state)) {
        return fail(error_kind::forbidden,
                    fmt::format("{} {} is held by {}, which is {}: stop it with its Stop button instead", held.service,
                                held.environment, held.owner, to_string(action->state)));
    }
    return action ? fmt::format("its action ended {}", to_string(action->state)) : std::string("no such action");
}

// One transaction: find the lock, decide whether `actor` may release it (its owner; with `as_approver`, also
// owner_gone()), delete and audit it. Decided in the same transaction as the delete, so the owning action cannot
// start running in between.
result<lock_record> release_held(database& db, const clock& clk, const std::string& service,
                                 const std::string& environment, const std::string& actor, bool as_approver) {
    return detail::guarded("release a lock", [&]() -> result<lock_record> {
        auto session = db.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto held = find_lock(conn, service, environment);
        if (!held) {
            return fail(error_kind::not_found, fmt::format("{} {} is not locked", service, environment));
        }
        const char* event = "lock.released";
        boost::json::object extra;
        if (held->owner != actor) {
            if (!as_approver) {
                return fail(error_kind::forbidden, fmt::format("{} {} is locked by {}, not by {}", service,
                                                               environment, held->owner, actor));
            }
            auto why = owner_gone(conn, *held);
            if (!why) {
                return std::unexpected(why.error());
            }
            event = "lock.released_by_approver";
            extra["owner_state"] = *why;
        }
        delete_lock(conn, *held);
        audit_lock(session, clk.now(), actor, event, *held, std::move(extra));
        transaction.commit();
        return *held;
    });
}

}  // namespace

result<lock_record> lock_store::claim(const std::string& service, const std::string& environment,
                                      const std::string& owner, const std::string& reason,
                                      clock::time_point expires_at) {
    return detail::guarded("claim a lock", [&]() -> result<lock_record> {
        auto now = clock_.now();
        if (expires_at <= now) {
            return fail(error_kind::invalid_input, "a lock must expire in the future");
        }
        if (service.empty() || environment.empty() || owner.empty()) {
            return fail(error_kind::invalid_input, "a lock needs a service, an environment and an owner");
        }
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        lock_record wanted{service, environment, owner, reason, now, expires_at};
        if (auto held = find_lock(conn, service, environment)) {
            if (held->owner == owner) {
                sql::statement renew(conn,
                                        "UPDATE locks SET reason = ?, expires_at_ms = ? "
                                        "WHERE service = ? AND environment = ? AND owner = ?");
                renew.bind(1, reason);
                renew.bind(2, to_unix_ms(expires_at));
                renew.bind(3, service);
                renew.bind(4, environment);
                renew.bind(5, owner);
                renew.exec();
                wanted.acquired_at = held->acquired_at;
                audit_lock(session, now, owner, "lock.renewed", wanted);
                transaction.commit();
                return wanted;
            }
            if (held->expires_at > now) {
                return fail(error_kind::conflict,
                            fmt::format("{} {} is locked by {} until {} ({})", service, environment, held->owner,
                                        format_iso8601_ms(held->expires_at), held->reason));
            }
            delete_lock(conn, *held);
            audit_lock(session, now, owner, "lock.taken_over", *held, {{"new_owner", owner}});
        }
        sql::statement insert(conn,
                                 "INSERT INTO locks (service, environment, owner, reason, acquired_at_ms, "
                                 "expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)");
        insert.bind(1, service);
        insert.bind(2, environment);
        insert.bind(3, owner);
        insert.bind(4, reason);
        insert.bind(5, to_unix_ms(now));
        insert.bind(6, to_unix_ms(expires_at));
        try {
            insert.exec();
        } catch (const sql::error& e) {
            // The unique key is the real arbiter: another process may have inserted between our read and write.
            if (e.kind() == sql::failure::constraint) {
                return fail(error_kind::conflict, fmt::format("{} {} is already locked", service, environment));
            }
            throw;
        }
        audit_lock(session, now, owner, "lock.claimed", wanted);
        transaction.commit();
        return wanted;
    });
}

result<void> lock_store::release(const std::string& service, const std::string& environment,
                                 const std::string& owner) {
    auto released = release_held(db_, clock_, service, environment, owner, false);
    if (!released) {
        return std::unexpected(released.error());
    }
    return {};
}

result<lock_record> lock_store::release_as_approver(const std::string& service, const std::string& environment,
                                                    const std::string& actor) {
    return release_held(db_, clock_, service, environment, actor, true);
}

result<std::vector<lock_record>> lock_store::release_for_action(const action_id& action) {
    return detail::guarded("release an action's locks", [&]() -> result<std::vector<lock_record>> {
        auto session = db_.acquire();
        sql::transaction transaction(session.sql());
        auto released = release_owned_in(session, clock_.now(), action.str(), "opsbot");
        transaction.commit();
        return released;
    });
}

result<std::vector<lock_record>> lock_store::list_active() {
    return detail::guarded("list locks", [&]() -> result<std::vector<lock_record>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(),
                                std::string(lock_columns) + " WHERE expires_at_ms > ? ORDER BY service, environment");
        query.bind(1, to_unix_ms(clock_.now()));
        std::vector<lock_record> out;
        while (query.step()) {
            out.push_back(read_lock(query));
        }
        return out;
    });
}

std::vector<lock_record> lock_store::release_owned_in(database::session& session, clock::time_point now,
                                                      const std::string& owner, const std::string& actor) {
    auto& conn = session.sql();
    std::vector<lock_record> owned;
    {
        sql::statement query(conn, std::string(lock_columns) + " WHERE owner = ? ORDER BY service, environment");
        query.bind(1, owner);
        while (query.step()) {
            owned.push_back(read_lock(query));
        }
    }
    for (const auto& lock : owned) {
        delete_lock(conn, lock);
        audit_lock(session, now, actor, "lock.released", lock);
    }
    return owned;
}

}  // namespace opsbot::storage
