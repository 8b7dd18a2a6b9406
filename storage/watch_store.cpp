#include "storage/watch_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/redactor.hpp"

#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

constexpr const char* watch_columns =
    "SELECT action_seq, family, title, service, environment, requester, channel, thread_ts, started_at_ms, "
    "ends_at_ms, next_check_at_ms, checks, failed_checks, last_error, state, closed_at_ms FROM watches";

watch_state parse_state(const std::string& text) {
    if (text == "quiet") {
        return watch_state::quiet;
    }
    return text == "fired" ? watch_state::fired : watch_state::watching;
}

watch_record read_watch(const sql::statement& row) {
    watch_record w;
    w.action = detail::make_action_id(row.column(0).as_int64());
    w.family = row.column(1).as_string();
    w.title = row.column(2).as_string();
    w.service = row.column(3).as_string();
    w.environment = row.column(4).as_string();
    w.requester = row.column(5).as_string();
    w.channel = row.column(6).as_string();
    w.thread_ts = row.column(7).as_string();
    w.started_at = from_unix_ms(row.column(8).as_int64());
    w.ends_at = from_unix_ms(row.column(9).as_int64());
    w.next_check_at = from_unix_ms(row.column(10).as_int64());
    w.checks = row.column(11).as_int();
    w.failed_checks = row.column(12).as_int();
    w.last_error = row.column(13).as_string();
    w.state = parse_state(row.column(14).as_string());
    if (!row.column(15).is_null()) {
        w.closed_at = from_unix_ms(row.column(15).as_int64());
    }
    return w;
}

std::optional<watch_record> load_watch(sql::connection& conn, std::int64_t seq) {
    sql::statement query(conn, std::string(watch_columns) + " WHERE action_seq = ?");
    query.bind(1, seq);
    if (!query.step()) {
        return std::nullopt;
    }
    return read_watch(query);
}

result<std::int64_t> seq_of(const action_id& action) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return fail(error_kind::not_found, fmt::format("{} is not an action id", action.str()));
    }
    return *seq;
}

}  // namespace

std::string_view to_string(watch_state state) {
    switch (state) {
        case watch_state::watching: return "watching";
        case watch_state::quiet: return "quiet";
        case watch_state::fired: return "fired";
    }
    return "watching";
}

result<void> watch_store::start(const new_watch& watch) {
    if (watch.ends_at <= watch.started_at) {
        return fail(error_kind::invalid_input, "a watch needs a window that ends after it starts");
    }
    return detail::guarded("start a watch", [&]() -> result<void> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto action = detail::find_action(conn, watch.action);
        if (!action) {
            return std::unexpected(action.error());
        }
        const std::int64_t seq = *detail::action_seq(watch.action);
        if (load_watch(conn, seq)) {
            return fail(error_kind::conflict, fmt::format("{} is already watched", watch.action.str()));
        }
        sql::statement insert(conn,
                                 "INSERT INTO watches (action_seq, family, title, service, environment, requester, "
                                 "channel, thread_ts, started_at_ms, ends_at_ms, next_check_at_ms, state) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'watching')");
        insert.bind(1, seq);
        insert.bind(2, watch.family);
        insert.bind(3, watch.title);
        insert.bind(4, watch.service);
        insert.bind(5, watch.environment);
        insert.bind(6, watch.requester);
        insert.bind(7, watch.channel);
        insert.bind(8, watch.thread_ts);
        insert.bind(9, to_unix_ms(watch.started_at));
        insert.bind(10, to_unix_ms(watch.ends_at));
        insert.bind(11, to_unix_ms(watch.first_check_at));
        insert.exec();
        audit_log::append_in(session, now,
                             audit_input{"opsbot",
                                         watch.action,
                                         "watch.started",
                                         {{"service", watch.service},
                                          {"environment", watch.environment},
                                          {"ends_at", format_iso8601_ms(watch.ends_at)}}});
        transaction.commit();
        return {};
    });
}

result<watch_record> watch_store::get(const action_id& action) {
    auto seq = seq_of(action);
    if (!seq) {
        return std::unexpected(seq.error());
    }
    return detail::guarded("read a watch", [&]() -> result<watch_record> {
        auto session = db_.acquire();
        auto found = load_watch(session.sql(), *seq);
        if (!found) {
            return fail(error_kind::not_found, fmt::format("{} has no watch", action.str()));
        }
        return *found;
    });
}

result<std::vector<watch_record>> watch_store::active() {
    return detail::guarded("list watches", [&]() -> result<std::vector<watch_record>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(watch_columns) + " WHERE state = 'watching' ORDER BY "
                                                                            "started_at_ms, action_seq");
        std::vector<watch_record> out;
        while (query.step()) {
            out.push_back(read_watch(query));
        }
        return out;
    });
}

result<bool> watch_store::claim_check(const action_id& action, clock::time_point seen, clock::time_point until) {
    auto seq = seq_of(action);
    if (!seq) {
        return std::unexpected(seq.error());
    }
    return detail::guarded("claim a watch check", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement update(session.sql(), "UPDATE watches SET next_check_at_ms = ? "
                                             "WHERE action_seq = ? AND state = 'watching' AND next_check_at_ms = ?");
        update.bind(1, to_unix_ms(until));
        update.bind(2, *seq);
        update.bind(3, to_unix_ms(seen));
        return update.exec() > 0;
    });
}

result<void> watch_store::record_check(const action_id& action, clock::time_point next_check_at,
                                       const std::optional<std::string>& error) {
    auto seq = seq_of(action);
    if (!seq) {
        return std::unexpected(seq.error());
    }
    return detail::guarded("record a watch check", [&]() -> result<void> {
        auto session = db_.acquire();
        sql::statement update(session.sql(),
                                 "UPDATE watches SET checks = checks + 1, failed_checks = failed_checks + ?, "
                                 "last_error = CASE WHEN ? = 1 THEN ? ELSE last_error END, next_check_at_ms = ? "
                                 "WHERE action_seq = ? AND state = 'watching'");
        update.bind(1, error ? 1 : 0);
        update.bind(2, error ? 1 : 0);
        const std::string raw = error.value_or("");
        const std::string clean = global_redactor().redact(raw);
        if (clean != raw) {
            spdlog::warn("storage: the error of a watch check of {} contained a secret; it was redacted before "
                         "storing", action.str());
        }
        update.bind(3, clean);
        update.bind(4, to_unix_ms(next_check_at));
        update.bind(5, *seq);
        if (update.exec() == 0) {
            return fail(error_kind::conflict, fmt::format("{} is not being watched", action.str()));
        }
        return {};
    });
}

result<void> watch_store::close(const action_id& action, watch_state end, boost::json::object detail) {
    if (end == watch_state::watching) {
        return fail(error_kind::invalid_input, "a watch closes as quiet or fired");
    }
    return close_as(action, end, fmt::format("watch.{}", to_string(end)), std::move(detail));
}

result<void> watch_store::close_blind(const action_id& action, boost::json::object detail) {
    return close_as(action, watch_state::quiet, "watch.blind", std::move(detail));
}

result<void> watch_store::close_as(const action_id& action, watch_state row_state, std::string event,
                                   boost::json::object detail) {
    auto seq = seq_of(action);
    if (!seq) {
        return std::unexpected(seq.error());
    }
    return detail::guarded("close a watch", [&]() -> result<void> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto found = load_watch(conn, *seq);
        if (!found) {
            return fail(error_kind::not_found, fmt::format("{} has no watch", action.str()));
        }
        if (found->state != watch_state::watching) {
            return fail(error_kind::conflict,
                        fmt::format("the watch of {} already ended ({})", action.str(), to_string(found->state)));
        }
        sql::statement update(conn, "UPDATE watches SET state = ?, closed_at_ms = ? WHERE action_seq = ? AND "
                                      "state = 'watching'");
        update.bind(1, std::string(to_string(row_state)));
        update.bind(2, to_unix_ms(now));
        update.bind(3, *seq);
        update.exec();
        detail["checks"] = found->checks;
        detail["failed_checks"] = found->failed_checks;
        audit_log::append_in(session, now,
                             audit_input{"opsbot", action, std::move(event), std::move(detail)});
        transaction.commit();
        return {};
    });
}

}  // namespace opsbot::storage
