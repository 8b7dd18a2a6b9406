// Deployment polls as rows of poll_waits (schema migration 10); see storage/poll_store.hpp.
#include "storage/poll_store.hpp"

#include "storage/action_rows.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace opsbot::storage {
namespace {

constexpr const char* poll_columns =
    "SELECT action_seq, step_index, deadline_ms, next_poll_ms, polls, memo_json FROM poll_waits";

platform_poll read_poll(const sql::statement& row) {
    platform_poll p;
    p.action = detail::make_action_id(row.column(0).as_int64());
    p.step_index = static_cast<std::size_t>(row.column(1).as_int64());
    p.deadline = from_unix_ms(row.column(2).as_int64());
    p.next_poll = from_unix_ms(row.column(3).as_int64());
    p.polls = row.column(4).as_int();
    auto memo = boost::json::parse(row.column(5).as_string());
    if (memo.is_object()) {
        p.memo = memo.as_object();
    }
    return p;
}

std::vector<platform_poll> read_all(sql::statement& query) {
    std::vector<platform_poll> out;
    while (query.step()) {
        out.push_back(read_poll(query));
    }
    return out;
}

}  // namespace

result<void> poll_store::put(const platform_poll& poll) {
    auto seq = detail::action_seq(poll.action);
    if (!seq) {
        return fail(error_kind::not_found, fmt::format("{} is not an action id", poll.action.str()));
    }
    return detail::guarded("store a poll", [&]() -> result<void> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto action = detail::find_action(conn, poll.action);
        if (!action) {
            return std::unexpected(action.error());
        }
        // Only a running action polls: one another replica took over (interrupted) while this step acted does not.
        if (action->state != action_state::running) {
            return fail(error_kind::conflict, fmt::format("{} is {}, no longer running", poll.action.str(),
                                                          to_string(action->state)));
        }
        sql::statement mine(conn, "SELECT 1 FROM poll_waits WHERE action_seq = ?");
        mine.bind(1, *seq);
        if (mine.step()) {
            return fail(error_kind::conflict, fmt::format("{} already polls a platform", poll.action.str()));
        }
        sql::statement insert(conn,
                                 "INSERT INTO poll_waits (action_seq, step_index, deadline_ms, next_poll_ms, polls, "
                                 "memo_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, *seq);
        insert.bind(2, static_cast<std::int64_t>(poll.step_index));
        insert.bind(3, to_unix_ms(poll.deadline));
        insert.bind(4, to_unix_ms(poll.next_poll));
        insert.bind(5, poll.polls);
        insert.bind(6, boost::json::serialize(poll.memo));
        insert.bind(7, to_unix_ms(clock_.now()));
        insert.exec();
        transaction.commit();
        return {};
    });
}

result<std::optional<platform_poll>> poll_store::get(const action_id& action) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return std::optional<platform_poll>{};
    }
    return detail::guarded("read a poll", [&]() -> result<std::optional<platform_poll>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(poll_columns) + " WHERE action_seq = ?");
        query.bind(1, *seq);
        if (!query.step()) {
            return std::optional<platform_poll>{};
        }
        return read_poll(query);
    });
}

result<std::vector<platform_poll>> poll_store::all() {
    return detail::guarded("list polls", [&]() -> result<std::vector<platform_poll>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(poll_columns) + " ORDER BY action_seq");
        return read_all(query);
    });
}

result<std::vector<platform_poll>> poll_store::due(clock::time_point now) {
    return detail::guarded("list due polls", [&]() -> result<std::vector<platform_poll>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(poll_columns) +
                                                   " WHERE next_poll_ms <= ? ORDER BY next_poll_ms, action_seq");
        query.bind(1, to_unix_ms(now));
        return read_all(query);
    });
}

result<bool> poll_store::claim(const action_id& action, clock::time_point seen, clock::time_point until) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return false;
    }
    return detail::guarded("claim a poll", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement update(session.sql(),
                                 "UPDATE poll_waits SET next_poll_ms = ? WHERE action_seq = ? AND next_poll_ms = ?");
        update.bind(1, to_unix_ms(until));
        update.bind(2, *seq);
        update.bind(3, to_unix_ms(seen));
        return update.exec() == 1;
    });
}

result<bool> poll_store::again(const action_id& action, clock::time_point claimed, clock::time_point next) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return false;
    }
    return detail::guarded("store a poll again", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement update(session.sql(), "UPDATE poll_waits SET next_poll_ms = ?, polls = polls + 1 "
                                                "WHERE action_seq = ? AND next_poll_ms = ?");
        update.bind(1, to_unix_ms(next));
        update.bind(2, *seq);
        update.bind(3, to_unix_ms(claimed));
        return update.exec() == 1;
    });
}

result<bool> poll_store::take(const action_id& action, std::optional<clock::time_point> claimed) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return false;
    }
    return detail::guarded("end a poll", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement remove(session.sql(), claimed ? "DELETE FROM poll_waits WHERE action_seq = ? AND "
                                                          "next_poll_ms = ?"
                                                        : "DELETE FROM poll_waits WHERE action_seq = ?");
        remove.bind(1, *seq);
        if (claimed) {
            remove.bind(2, to_unix_ms(*claimed));
        }
        return remove.exec() == 1;
    });
}

result<void> poll_store::due_all_at(clock::time_point now) {
    return detail::guarded("resume polls", [&]() -> result<void> {
        auto session = db_.acquire();
        sql::statement update(session.sql(), "UPDATE poll_waits SET next_poll_ms = ?");
        update.bind(1, to_unix_ms(now));
        update.exec();
        return {};
    });
}

result<bool> poll_store::due_at(const action_id& action, clock::time_point now) {
    return detail::guarded("resume a poll", [&]() -> result<bool> {
        auto seq = detail::action_seq(action);
        if (!seq) {
            return false;
        }
        auto session = db_.acquire();
        sql::statement update(session.sql(), "UPDATE poll_waits SET next_poll_ms = ? WHERE action_seq = ?");
        update.bind(1, to_unix_ms(now));
        update.bind(2, *seq);
        return update.exec() > 0;
    });
}

result<std::size_t> poll_store::count() {
    return detail::guarded("count polls", [&]() -> result<std::size_t> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), "SELECT COUNT(*) FROM poll_waits");
        query.step();
        return static_cast<std::size_t>(query.column(0).as_int64());
    });
}

}  // namespace opsbot::storage
