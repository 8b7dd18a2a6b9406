#include "storage/break_glass_store.hpp"

#include <fmt/format.h>

#include "core/redactor.hpp"
#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

constexpr const char* columns =
    "SELECT action_seq, requester, reason, used_at_ms, incident_channel, incident_ts, acknowledged_by, "
    "acknowledged_at_ms FROM break_glass";

break_glass_record read_row(const sql::statement& row) {
    break_glass_record r;
    r.action = detail::make_action_id(row.column(0).as_int64());
    r.requester = user_id(row.column(1).as_string());
    r.reason = row.column(2).as_string();
    r.used_at = from_unix_ms(row.column(3).as_int64());
    r.incident_channel = row.column(4).is_null() ? "" : row.column(4).as_string();
    r.incident_ts = row.column(5).is_null() ? "" : row.column(5).as_string();
    if (!row.column(6).is_null()) {
        r.acknowledged_by = user_id(row.column(6).as_string());
    }
    if (!row.column(7).is_null()) {
        r.acknowledged_at = from_unix_ms(row.column(7).as_int64());
    }
    return r;
}

std::optional<break_glass_record> load(sql::connection& conn, std::int64_t seq) {
    sql::statement query(conn, std::string(columns) + " WHERE action_seq = ?");
    query.bind(1, seq);
    if (!query.step()) {
        return std::nullopt;
    }
    return read_row(query);
}

}  // namespace

result<void> break_glass_store::approve_by_break_glass(const action_id& action, const user_id& requester,
                                                       const std::string& reason) {
    const std::string clean = global_redactor().redact(reason);
    if (clean.find_first_not_of(" \t\r\n") == std::string::npos) {
        return fail(error_kind::invalid_input, "break-glass needs a reason");
    }
    return detail::guarded("record a break-glass", [&]() -> result<void> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto found = detail::find_action(conn, action);
        if (!found) {
            return std::unexpected(found.error());
        }
        if (found->requester != requester) {
            return fail(error_kind::forbidden, "only the requester may use break-glass on their own request");
        }
        auto moved = detail::transition_in(session, now, *found, action_state::awaiting_approval,
                                           action_state::approved, requester.str(),
                                           {{"break_glass", true}, {"reason", clean}});
        if (!moved) {
            return moved;
        }
        sql::statement insert(conn, "INSERT INTO break_glass (action_seq, requester, reason, used_at_ms) "
                                      "VALUES (?, ?, ?, ?)");
        insert.bind(1, *detail::action_seq(action));
        insert.bind(2, requester.str());
        insert.bind(3, clean);
        insert.bind(4, to_unix_ms(now));
        insert.exec();
        audit_log::append_in(session, now,
                             audit_input{requester.str(), action, "break_glass.used",
                                         {{"reason", clean}, {"family", found->family}, {"subject", found->subject}}});
        transaction.commit();
        return {};
    });
}

result<void> break_glass_store::set_incident_post(const action_id& action, const std::string& channel,
                                                  const std::string& ts) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return fail(error_kind::not_found, fmt::format("{} is not an action id", action.str()));
    }
    return detail::guarded("remember a break-glass post", [&]() -> result<void> {
        auto session = db_.acquire();
        sql::statement update(session.sql(),
                                 "UPDATE break_glass SET incident_channel = ?, incident_ts = ? WHERE action_seq = ?");
        update.bind(1, channel);
        update.bind(2, ts);
        update.bind(3, *seq);
        if (update.exec() == 0) {
            return fail(error_kind::not_found, fmt::format("{} used no break-glass", action.str()));
        }
        return {};
    });
}

result<break_glass_record> break_glass_store::acknowledge(const action_id& action, const user_id& user,
                                                          const std::set<user_id>& allowed) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return fail(error_kind::not_found, fmt::format("{} is not an action id", action.str()));
    }
    return detail::guarded("acknowledge a break-glass", [&]() -> result<break_glass_record> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto found = load(conn, *seq);
        if (!found) {
            return fail(error_kind::not_found, fmt::format("{} did not use break-glass.", action.str()));
        }
        auto refuse = [&](error_kind kind, std::string why) -> result<break_glass_record> {
            audit_log::append_in(session, now, audit_input{user.str(), action, "break_glass.ack_refused",
                                                            {{"reason", why}}});
            transaction.commit();
            return fail(kind, std::move(why));
        };
        if (found->acknowledged_by) {
            return refuse(error_kind::conflict, fmt::format("The break-glass of {} was already acknowledged by {}.",
                                                            action.str(), found->acknowledged_by->str()));
        }
        if (user == found->requester) {
            return refuse(error_kind::forbidden, "You cannot acknowledge your own break-glass: another approver "
                                                 "must review it.");
        }
        if (!allowed.contains(user)) {
            return refuse(error_kind::forbidden, "You are not an approver of this command, so you cannot "
                                                 "acknowledge its break-glass.");
        }
        sql::statement update(conn, "UPDATE break_glass SET acknowledged_by = ?, acknowledged_at_ms = ? "
                                      "WHERE action_seq = ? AND acknowledged_by IS NULL");
        update.bind(1, user.str());
        update.bind(2, to_unix_ms(now));
        update.bind(3, *seq);
        update.exec();
        audit_log::append_in(session, now, audit_input{user.str(), action, "break_glass.acknowledged",
                                                        {{"requester", found->requester.str()},
                                                         {"reason", found->reason}}});
        transaction.commit();
        found->acknowledged_by = user;
        found->acknowledged_at = now;
        return *found;
    });
}

result<std::optional<break_glass_record>> break_glass_store::find(const action_id& action) {
    auto seq = detail::action_seq(action);
    if (!seq) {
        return std::optional<break_glass_record>{};
    }
    return detail::guarded("read a break-glass", [&]() -> result<std::optional<break_glass_record>> {
        auto session = db_.acquire();
        return load(session.sql(), *seq);
    });
}

result<std::vector<break_glass_record>> break_glass_store::unreviewed() {
    return detail::guarded("list unreviewed break-glass", [&]() -> result<std::vector<break_glass_record>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(),
                                std::string(columns) + " WHERE acknowledged_by IS NULL ORDER BY action_seq");
        std::vector<break_glass_record> out;
        while (query.step()) {
            out.push_back(read_row(query));
        }
        return out;
    });
}

}  // namespace opsbot::storage
