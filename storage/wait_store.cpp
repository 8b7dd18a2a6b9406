#include "storage/wait_store.hpp"

#include "storage/action_rows.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace opsbot::storage {
namespace {

constexpr const char* wait_columns =
    "SELECT action_seq, step_index, wait_key, requester, deadline_ms, memo_json FROM person_waits";

person_wait read_wait(const sql::statement& row) {
    person_wait w;
    w.action = detail::make_action_id(row.column(0).as_int64());
    w.step_index = static_cast<std::size_t>(row.column(1).as_int64());
    w.key = row.column(2).as_string();
    w.requester = row.column(3).as_string();
    w.deadline = from_unix_ms(row.column(4).as_int64());
    auto memo = boost::json::parse(row.column(5).as_string());
    if (memo.is_object()) {
        w.memo = memo.as_object();
    }
    return w;
}

std::vector<person_wait> read_all(sql::statement& query) {
    std::vector<person_wait> out;
    while (query.step()) {
        out.push_back(read_wait(query));
    }
    return out;
}

std::optional<person_wait> first(sql::statement& query) {
    if (!query.step()) {
        return std::nullopt;
    }
    return read_wait(query);
}

}  // namespace

result<void> wait_store::put(const person_wait& wait) {
    auto seq = detail::action_seq(wait.action);
    if (!seq) {
        return fail(error_kind::not_found, fmt::format("{} is not an action id", wait.action.str()));
    }
    return detail::guarded("store a wait", [&]() -> result<void> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        if (auto action = detail::find_action(conn, wait.action); !action) {
            return std::unexpected(action.error());
        }
        sql::statement mine(conn, std::string(wait_columns) + " WHERE action_seq = ?");
        mine.bind(1, *seq);
        if (first(mine)) {
            return fail(error_kind::conflict, fmt::format("{} already waits for a person", wait.action.str()));
        }
        sql::statement other(conn, std::string(wait_columns) + " WHERE wait_key = ?");
        other.bind(1, wait.key);
        if (auto found = first(other)) {
            return fail(error_kind::conflict, fmt::format("{} already waits on {}", found->action.str(), wait.key));
        }
        sql::statement insert(conn,
                                 "INSERT INTO person_waits (action_seq, step_index, wait_key, requester, deadline_ms, "
                                 "memo_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, *seq);
        insert.bind(2, static_cast<std::int64_t>(wait.step_index));
        insert.bind(3, wait.key);
        insert.bind(4, wait.requester);
        insert.bind(5, to_unix_ms(wait.deadline));
        insert.bind(6, boost::json::serialize(wait.memo));
        insert.bind(7, to_unix_ms(clock_.now()));
        insert.exec();
        transaction.commit();
        return {};
    });
}

result<std::optional<person_wait>> wait_store::get(const action_id& action) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return std::optional<person_wait>{};
    }
    return detail::guarded("read a wait", [&]() -> result<std::optional<person_wait>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(wait_columns) + " WHERE action_seq = ?");
        query.bind(1, *seq);
        return first(query);
    });
}

result<std::optional<person_wait>> wait_store::by_key(const std::string& key) {
    return detail::guarded("read a wait", [&]() -> result<std::optional<person_wait>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(wait_columns) + " WHERE wait_key = ?");
        query.bind(1, key);
        return first(query);
    });
}

result<std::vector<person_wait>> wait_store::all() {
    return detail::guarded("list waits", [&]() -> result<std::vector<person_wait>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(wait_columns) + " ORDER BY action_seq");
        return read_all(query);
    });
}

result<std::vector<person_wait>> wait_store::due(clock::time_point now) {
    return detail::guarded("list due waits", [&]() -> result<std::vector<person_wait>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(),
                                std::string(wait_columns) + " WHERE deadline_ms <= ? ORDER BY deadline_ms, action_seq");
        query.bind(1, to_unix_ms(now));
        return read_all(query);
    });
}

result<bool> wait_store::take(const action_id& action) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return false;
    }
    return detail::guarded("end a wait", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement remove(session.sql(), "DELETE FROM person_waits WHERE action_seq = ?");
        remove.bind(1, *seq);
        return remove.exec() == 1;
    });
}

}  // namespace opsbot::storage
