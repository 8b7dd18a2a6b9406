#include "storage/approval_store.hpp"

#include <fmt/format.h>

#include "storage/action_rows.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

std::string already(const action_record& action) {
    return fmt::format("{} is already {}; nothing changed", action.id.str(), to_string(action.state));
}

void audit_refusal(database::session& session, clock::time_point now, const action_record& action,
                   const user_id& user, decision choice, const char* reason) {
    audit_log::append_in(session, now,
                         audit_input{user.str(), action.id, "approval.refused",
                                     {{"decision", to_string(choice)}, {"reason", reason}}});
}

bool has_decided(sql::connection& conn, std::int64_t seq, const user_id& user) {
    sql::statement query(conn, "SELECT 1 FROM approvals WHERE action_seq = ? AND user_id = ?");
    query.bind(1, seq);
    query.bind(2, user.str());
    return query.step();
}

int count_approvers(sql::connection& conn, std::int64_t seq) {
    sql::statement query(conn,
                            "SELECT COUNT(DISTINCT user_id) FROM approvals WHERE action_seq = ? "
                            "AND decision = 'approve'");
    query.bind(1, seq);
    query.step();
    return query.column(0).as_int();
}

}  // namespace

std::string_view to_string(decision choice) {
    return choice == decision::approve ? "approve" : "deny";
}

result<decision_outcome> approval_store::record_decision(const action_id& id, const user_id& user, decision choice,
                                                         const std::string& plan_digest,
                                                         const std::set<user_id>& allowed_approvers) {
    return detail::guarded("record a decision", [&]() -> result<decision_outcome> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        // IMMEDIATE takes the write lock before reading, so two processes clicking at once serialize here.
        sql::transaction transaction(conn);
        auto found = detail::find_action(conn, id);
        if (!found) {
            return std::unexpected(found.error());
        }
        const action_record& action = *found;
        if (action.state != action_state::awaiting_approval) {
            return fail(error_kind::conflict, already(action));
        }
        if (now >= action.expires_at) {
            auto expired = detail::transition_in(session, now, action, action_state::awaiting_approval,
                                                 action_state::expired, "opsbot",
                                                 {{"reason", "a decision arrived after expiry"}, {"by", user.str()}});
            if (!expired) {
                return std::unexpected(expired.error());
            }
            transaction.commit();
            return fail(error_kind::conflict, fmt::format("{} expired at {}; request it again", action.id.str(),
                                                          format_iso8601_ms(action.expires_at)));
        }
        if (user == action.requester) {
            audit_refusal(session, now, action, user, choice, "requester");
            transaction.commit();
            return fail(error_kind::forbidden, choice == decision::approve
                                                   ? "you cannot approve your own request"
                                                   : "you cannot decide your own request; cancel it instead");
        }
        if (!allowed_approvers.contains(user)) {
            audit_refusal(session, now, action, user, choice, "not an approver");
            transaction.commit();
            return fail(error_kind::forbidden,
                        fmt::format("you are not allowed to approve or deny {} requests", action.family));
        }
        auto seq = *detail::action_seq(action.id);
        if (has_decided(conn, seq, user)) {
            return fail(error_kind::conflict, fmt::format("you already decided on {}", action.id.str()));
        }
        if (choice == decision::approve && plan_digest != action.plan_digest) {
            audit_refusal(session, now, action, user, choice, "plan changed");
            transaction.commit();
            return fail(error_kind::conflict, "the plan changed since it was posted; it must be re-planned and "
                                              "approved again");
        }
        sql::statement insert(conn,
                                 "INSERT INTO approvals (action_seq, user_id, decision, plan_digest, decided_at_ms) "
                                 "VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, seq);
        insert.bind(2, user.str());
        insert.bind(3, std::string(to_string(choice)));
        insert.bind(4, plan_digest);
        insert.bind(5, to_unix_ms(now));
        insert.exec();

        decision_outcome outcome;
        outcome.required = action.required_approvals;
        outcome.approvals = count_approvers(conn, seq);
        outcome.state = action.state;
        audit_log::append_in(session, now,
                             audit_input{user.str(), action.id,
                                         choice == decision::approve ? "approval.approved" : "approval.denied",
                                         {{"plan_digest", plan_digest},
                                          {"approvals", outcome.approvals},
                                          {"required", outcome.required}}});
        if (choice == decision::deny || outcome.approvals >= outcome.required) {
            action_state to = choice == decision::deny ? action_state::denied : action_state::approved;
            auto moved = detail::transition_in(session, now, action, action_state::awaiting_approval, to, user.str(),
                                               {{"approvals", outcome.approvals}});
            if (!moved) {
                return std::unexpected(moved.error());
            }
            outcome.state = to;
            outcome.now_denied = to == action_state::denied;
            outcome.now_approved = to == action_state::approved;
        }
        transaction.commit();
        return outcome;
    });
}

result<void> approval_store::cancel(const action_id& id, const user_id& user) {
    return detail::guarded("cancel an action", [&]() -> result<void> {
        auto now = clock_.now();
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        auto found = detail::find_action(conn, id);
        if (!found) {
            return std::unexpected(found.error());
        }
        if (found->state != action_state::awaiting_approval) {
            return fail(error_kind::conflict, already(*found));
        }
        if (user != found->requester) {
            audit_log::append_in(
                session, now, audit_input{user.str(), found->id, "cancel.refused", {{"reason", "not the requester"}}});
            transaction.commit();
            return fail(error_kind::forbidden, "only the requester can cancel a request");
        }
        auto moved = detail::transition_in(session, now, *found, action_state::awaiting_approval,
                                           action_state::cancelled, user.str(), {});
        if (!moved) {
            return moved;
        }
        transaction.commit();
        return {};
    });
}

result<std::vector<approval_record>> approval_store::decisions(const action_id& id) {
    return detail::guarded("read decisions", [&]() -> result<std::vector<approval_record>> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        auto found = detail::find_action(conn, id);
        if (!found) {
            return std::unexpected(found.error());
        }
        sql::statement query(conn,
                                "SELECT user_id, decision, plan_digest, decided_at_ms FROM approvals "
                                "WHERE action_seq = ? ORDER BY id");
        query.bind(1, *detail::action_seq(id));
        std::vector<approval_record> out;
        while (query.step()) {
            out.push_back(approval_record{user_id{query.column(0).as_string()},
                                          query.column(1).as_string() == "approve" ? decision::approve
                                                                                       : decision::deny,
                                          query.column(2).as_string(), from_unix_ms(query.column(3).as_int64())});
        }
        return out;
    });
}

}  // namespace opsbot::storage
