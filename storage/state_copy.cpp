#include "storage/state_copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "storage/action_state.hpp"
#include "storage/audit_log.hpp"
#include "storage/sql.hpp"
#include "storage/sql_support.hpp"

namespace opsbot::storage {
namespace {

// Parents before children (approvals, break_glass, watches and the waits point at actions). A table the source has
// and this list lacks stops the copy: state is never silently left behind.
constexpr std::array<std::string_view, 9> copied_tables{"actions",     "approvals",    "break_glass",
                                                        "watches",     "locks",        "audit_log",
                                                        "seen_envelopes", "person_waits", "poll_waits"};
// Not state: the migration record (each side has its own), SQLite's id counters, and which processes are alive.
const std::set<std::string, std::less<>> not_copied{"schema_version", "sqlite_sequence", "replicas"};

std::vector<std::string> source_tables(sql::connection& sql) {
    sql::statement query(sql, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    std::vector<std::string> out;
    while (query.step()) {
        out.push_back(query.column(0).as_string());
    }
    return out;
}

std::vector<std::string> columns_of(sql::connection& sql, std::string_view table) {
    sql::statement query(sql, fmt::format("SELECT name FROM pragma_table_info('{}') ORDER BY cid", table));
    std::vector<std::string> out;
    while (query.step()) {
        out.push_back(query.column(0).as_string());
    }
    return out;
}

std::int64_t count_rows(sql::connection& sql, std::string_view table) {
    sql::statement query(sql, fmt::format("SELECT COUNT(*) FROM {}", table));
    query.step();
    return query.column(0).as_int64();
}

/// The legal moves from a new action's state to `to` (can_transition, the one table the triggers enforce).
std::vector<action_state> path_to(action_state to) {
    std::map<action_state, action_state> came_from;
    std::deque<action_state> queue{action_state::awaiting_approval};
    std::set<action_state> seen{action_state::awaiting_approval};
    while (!queue.empty()) {
        const action_state at = queue.front();
        queue.pop_front();
        if (at == to) {
            std::vector<action_state> path;
            for (action_state s = to; s != action_state::awaiting_approval; s = came_from.at(s)) {
                path.push_back(s);
            }
            std::reverse(path.begin(), path.end());
            return path;
        }
        for (action_state next : all_action_states) {
            if (can_transition(at, next) && seen.insert(next).second) {
                came_from[next] = at;
                queue.push_back(next);
            }
        }
    }
    throw sql::error(sql::failure::other, fmt::format("no legal path to state {}", to_string(to)));
}

/// The tables whose rows are born in one state and move on; what a new row must hold, and how to reach the stored one.
struct born_state {
    std::string column;
    std::string initial;
};
const std::map<std::string, born_state, std::less<>> born_states{{"actions", {"state", "awaiting_approval"}},
                                                                  {"watches", {"state", "watching"}}};

void move_along(sql::connection& to, std::string_view table, const std::string& key_column, const sql::value& key,
                const std::string& stored) {
    std::vector<std::string> steps;
    if (table == "actions") {
        const auto state = parse_action_state(stored);
        if (!state) {
            throw sql::error(sql::failure::other, fmt::format("an action in an unknown state `{}`", stored));
        }
        for (action_state s : path_to(*state)) {
            steps.emplace_back(to_string(s));
        }
    } else if (stored != born_states.find(table)->second.initial) {
        steps.push_back(stored);
    }
    for (const std::string& step : steps) {
        sql::statement update(to, fmt::format("UPDATE {} SET state = ? WHERE {} = ?", table, key_column));
        update.bind(1, step);
        update.bind(2, key);
        update.exec();
    }
}

std::int64_t copy_table(sql::connection& from, sql::connection& to, std::string_view table) {
    const auto columns = columns_of(from, table);
    if (columns.empty()) {
        throw sql::error(sql::failure::other, fmt::format("the source has no table {}", table));
    }
    std::string names;
    std::string marks;
    for (const auto& c : columns) {
        names += (names.empty() ? "" : ", ") + c;
        marks += marks.empty() ? "?" : ", ?";
    }
    const auto born = born_states.find(table);
    std::optional<std::size_t> state_at;
    if (born != born_states.end()) {
        state_at = static_cast<std::size_t>(
            std::find(columns.begin(), columns.end(), born->second.column) - columns.begin());
    }
    sql::statement rows(from, fmt::format("SELECT {} FROM {} ORDER BY rowid", names, table));
    const std::string insert_text = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, marks);
    std::int64_t copied = 0;
    while (rows.step()) {
        sql::statement insert(to, insert_text);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const bool is_state = state_at && *state_at == i;
            insert.bind(static_cast<int>(i + 1), is_state ? sql::value(born->second.initial)
                                                          : rows.column(static_cast<int>(i)));
        }
        insert.exec();
        if (state_at) {
            move_along(to, table, columns.front(), rows.column(0), rows.column(static_cast<int>(*state_at)).as_string());
        }
        ++copied;
    }
    return copied;
}

}  // namespace

result<state_copy_report> copy_state(database& from, database& to, const clock& clk) {
    if (from.backend() != sql::backend::sqlite) {
        return fail(error_kind::invalid_input, "migrate-state copies from an SQLite file (--from opsbot.db)");
    }
    if (from.schema_version() != to.schema_version()) {
        return fail(error_kind::conflict, fmt::format("the source is at schema version {} and the target at {}: open "
                                                      "both with this opsbot first",
                                                      from.schema_version(), to.schema_version()));
    }
    audit_log source_log(from, clk);
    auto before = source_log.verify();
    if (!before) {
        return std::unexpected(before.error());
    }
    if (!before->ok()) {
        return fail(error_kind::conflict, fmt::format("the source's audit log does not verify (entry {}: {}); nothing "
                                                      "was copied",
                                                      before->broken_seq.value_or(0), before->reason));
    }
    state_copy_report report;
    auto copied = detail::guarded("copy the state", [&]() -> result<void> {
        auto source = from.acquire();
        auto target = to.acquire();
        for (const auto& table : source_tables(source.sql())) {
            const bool known = std::find(copied_tables.begin(), copied_tables.end(), table) != copied_tables.end();
            if (!known && !not_copied.contains(table)) {
                return fail(error_kind::internal,
                            fmt::format("the source has a table `{}` this opsbot does not know how to copy; nothing "
                                        "was copied",
                                        table));
            }
        }
        sql::transaction tx(target.sql());
        for (std::string_view table : {"actions", "audit_log"}) {
            if (count_rows(target.sql(), table) > 0) {
                return fail(error_kind::conflict,
                            fmt::format("the target already holds state ({} has rows); migrate-state only fills an "
                                        "empty database, nothing was copied",
                                        table));
            }
        }
        for (std::string_view table : copied_tables) {
            report.rows.emplace_back(std::string(table), copy_table(source.sql(), target.sql(), table));
        }
        if (target.sql().kind() == sql::backend::postgresql) {
            // Rows came with their ids: the identity columns must go on after the highest, as SQLite's counters do.
            for (const auto& [table, key] : {std::pair{"actions", "seq"}, std::pair{"approvals", "id"}}) {
                target.sql().run_script(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', '{1}'), "
                                                    "COALESCE(MAX({1}), 1), MAX({1}) IS NOT NULL) FROM {0}",
                                                    table, key));
            }
        }
        tx.commit();
        return {};
    });
    if (!copied) {
        return std::unexpected(copied.error());
    }
    audit_log target_log(to, clk);
    auto after = target_log.verify();
    if (!after) {
        return std::unexpected(after.error());
    }
    if (!after->ok() || after->entries != before->entries || after->head_hash != before->head_hash) {
        return fail(error_kind::internal,
                    fmt::format("the copied audit log does not verify to the source's head ({} entries, head {}; "
                                "copied: {} entries, head {}): drop the target database before trying again",
                                before->entries, before->head_hash, after->entries, after->head_hash));
    }
    report.audit_entries = after->entries;
    report.head_hash = after->head_hash;
    return report;
}

}  // namespace opsbot::storage
