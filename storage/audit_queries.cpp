#include "storage/audit_queries.hpp"

#include "storage/sql_support.hpp"

namespace opsbot::storage {

result<std::vector<succeeded_action>> succeeded_actions(database& db, std::string_view family) {
    return detail::guarded("read succeeded actions", [&]() -> result<std::vector<succeeded_action>> {
        auto session = db.acquire();
        // The audit entry says when it succeeded; the action row holds the plan it ran.
        sql::statement query(session.sql(),
                                "SELECT l.action_id, l.time, a.plan_json FROM audit_log l "
                                "JOIN actions a ON l.action_id = 'A-' || CAST(a.seq AS TEXT) "
                                "WHERE l.event = 'action.succeeded' AND a.family = ? ORDER BY l.seq");
        query.bind(1, std::string(family));
        std::vector<succeeded_action> out;
        while (query.step()) {
            out.push_back({action_id{query.column(0).as_string()}, query.column(1).as_string(),
                           query.column(2).as_string()});
        }
        return out;
    });
}

}  // namespace opsbot::storage
