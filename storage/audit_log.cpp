#include "storage/audit_log.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <ostream>

#include "core/redactor.hpp"
#include "storage/canonical_json.hpp"
#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

constexpr const char* select_columns =
    "SELECT seq, time, actor, action_id, event, detail, prev_hash, hash FROM audit_log";

boost::json::value redacted(const boost::json::value& value) {
    const redactor& r = global_redactor();
    if (value.is_string()) {
        return boost::json::string(r.redact(value.get_string()));
    }
    if (value.is_array()) {
        boost::json::array out;
        for (const auto& item : value.get_array()) {
            out.push_back(redacted(item));
        }
        return out;
    }
    if (value.is_object()) {
        boost::json::object out;
        for (const auto& member : value.get_object()) {
            out[r.redact(member.key())] = redacted(member.value());
        }
        return out;
    }
    return value;
}

std::string chain_hash(std::int64_t seq, const std::string& time, const std::string& actor,
                       const std::optional<std::string>& action, const std::string& event,
                       const boost::json::value& detail, const std::string& prev_hash) {
    boost::json::array preimage{seq, boost::json::string(time), boost::json::string(actor)};
    preimage.push_back(action ? boost::json::value(boost::json::string(*action)) : boost::json::value(nullptr));
    preimage.push_back(boost::json::string(event));
    preimage.push_back(detail);
    preimage.push_back(boost::json::string(prev_hash));
    return sha256_hex(canonical_json(preimage));
}

audit_entry read_entry(const sql::statement& row) {
    audit_entry entry;
    entry.seq = row.column(0).as_int64();
    entry.time = row.column(1).as_string();
    entry.actor = row.column(2).as_string();
    if (!row.column(3).is_null()) {
        entry.action = action_id{row.column(3).as_string()};
    }
    entry.event = row.column(4).as_string();
    entry.detail_json = row.column(5).as_string();
    entry.prev_hash = row.column(6).as_string();
    entry.hash = row.column(7).as_string();
    return entry;
}

std::vector<audit_entry> read_all(sql::statement& query) {
    std::vector<audit_entry> out;
    while (query.step()) {
        out.push_back(read_entry(query));
    }
    return out;
}

std::string prefix(const std::string& hash) {
    return hash.substr(0, 16);
}

// Checks one stored entry against the previous one; empty when it is sound.
std::string check_entry(const audit_entry& entry, std::int64_t expected_seq, const std::string& expected_prev) {
    if (entry.seq != expected_seq) {
        return fmt::format("sequence gap (expected entry {}, found {})", expected_seq, entry.seq);
    }
    if (entry.prev_hash != expected_prev) {
        return fmt::format("prev_hash {} does not match the hash of the entry before ({})", prefix(entry.prev_hash),
                           prefix(expected_prev));
    }
    boost::system::error_code ec;
    boost::json::value detail = boost::json::parse(entry.detail_json, ec);
    if (ec || !detail.is_object()) {
        return "detail is not a JSON object";
    }
    if (canonical_json(detail) != entry.detail_json) {
        return "detail is not in canonical form (edited by hand?)";
    }
    std::optional<std::string> action;
    if (entry.action) {
        action = entry.action->str();
    }
    std::string computed = chain_hash(entry.seq, entry.time, entry.actor, action, entry.event, detail, entry.prev_hash);
    if (computed != entry.hash) {
        return fmt::format("hash mismatch (stored {}, computed {})", prefix(entry.hash), prefix(computed));
    }
    return {};
}

// Empty when the sound chain of `entries` entries holds the anchor's entry with its hash (`found`).
std::string anchor_problem(const audit_anchor& anchor, const std::optional<std::string>& found, std::int64_t entries) {
    if (!found) {
        return entries == 0 ? fmt::format("the log is empty: entries 1 to {} are missing (cut off?)", anchor.seq)
                            : fmt::format("the log ends at entry {}: entries {} to {} are missing (cut off?)",
                                          entries, entries + 1, anchor.seq);
    }
    if (!found->starts_with(anchor.hash)) {
        return fmt::format("entry {} has hash {}, not the head's {} (the log was rewritten)", anchor.seq,
                           prefix(*found), anchor.hash.substr(0, 16));
    }
    return {};
}

}  // namespace

audit_entry audit_log::append_in(database::session& session, clock::time_point time, const audit_input& input) {
    auto& conn = session.sql();
    std::int64_t seq = 1;
    std::string prev_hash(audit_genesis_hash);
    {
        sql::statement last(conn, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
        if (last.step()) {
            seq = last.column(0).as_int64() + 1;
            prev_hash = last.column(1).as_string();
        }
    }
    const redactor& r = global_redactor();
    audit_entry entry;
    entry.seq = seq;
    entry.time = format_iso8601_ms(time);
    entry.actor = r.redact(input.actor);
    std::optional<std::string> action;
    if (input.action) {
        action = r.redact(input.action->str());
        entry.action = action_id{*action};
    }
    entry.event = r.redact(input.event);
    // Stored in the form that reads back as itself, and hashed as read back: `audit verify` re-parses it.
    entry.detail_json = stable_canonical_json(redacted(input.detail));
    const boost::json::value detail = boost::json::parse(entry.detail_json);
    entry.prev_hash = prev_hash;
    entry.hash = chain_hash(seq, entry.time, entry.actor, action, entry.event, detail, prev_hash);

    sql::statement insert(conn,
                             "INSERT INTO audit_log (seq, time, actor, action_id, event, detail, prev_hash, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, entry.seq);
    insert.bind(2, entry.time);
    insert.bind(3, entry.actor);
    insert.bind(4, action ? sql::value(*action) : sql::value());
    insert.bind(5, entry.event);
    insert.bind(6, entry.detail_json);
    insert.bind(7, entry.prev_hash);
    insert.bind(8, entry.hash);
    insert.exec();
    return entry;
}

result<audit_entry> audit_log::append(const audit_input& input) {
    return detail::guarded("append to the audit log", [&]() -> result<audit_entry> {
        auto session = db_.acquire();
        sql::transaction transaction(session.sql());
        audit_entry entry = append_in(session, clock_.now(), input);
        transaction.commit();
        return entry;
    });
}

result<audit_verification> audit_log::verify(const std::optional<audit_anchor>& anchor) {
    return detail::guarded("verify the audit log", [&]() -> result<audit_verification> {
        auto session = db_.acquire();
        // One read transaction: a consistent snapshot even while the bot keeps appending.
        sql::transaction transaction(session.sql(), sql::transaction::mode::read);
        sql::statement query(session.sql(), std::string(select_columns) + " ORDER BY seq");
        audit_verification report;
        report.head_hash = std::string(audit_genesis_hash);
        std::optional<std::string> anchored_hash;
        while (query.step()) {
            audit_entry entry = read_entry(query);
            std::string problem = check_entry(entry, report.entries + 1, report.head_hash);
            if (!problem.empty()) {
                report.broken_seq = entry.seq;
                report.reason = std::move(problem);
                return report;
            }
            ++report.entries;
            report.head_hash = entry.hash;
            if (anchor && entry.seq == anchor->seq) {
                anchored_hash = entry.hash;
            }
        }
        if (anchor) {
            report.anchor_problem = anchor_problem(*anchor, anchored_hash, report.entries);
        }
        return report;
    });
}

result<std::optional<audit_entry>> audit_log::head() {
    return detail::guarded("read the audit log", [&]() -> result<std::optional<audit_entry>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(select_columns) + " ORDER BY seq DESC LIMIT 1");
        if (!query.step()) {
            return std::optional<audit_entry>{};
        }
        return std::optional<audit_entry>{read_entry(query)};
    });
}

result<std::vector<audit_entry>> audit_log::entries(std::optional<clock::time_point> since) {
    return detail::guarded("read the audit log", [&]() -> result<std::vector<audit_entry>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(select_columns) + " WHERE time >= ? ORDER BY seq");
        query.bind(1, since ? format_iso8601_ms(*since) : std::string());
        return read_all(query);
    });
}

result<std::vector<audit_entry>> audit_log::tail(std::int64_t limit) {
    return detail::guarded("read the audit log", [&]() -> result<std::vector<audit_entry>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(select_columns) +
                                                   " WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM audit_log) - ?"
                                                   " ORDER BY seq");
        query.bind(1, limit);
        return read_all(query);
    });
}

result<std::vector<audit_entry>> audit_log::for_action(const action_id& id) {
    return detail::guarded("read the audit log", [&]() -> result<std::vector<audit_entry>> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(select_columns) + " WHERE action_id = ? ORDER BY seq");
        query.bind(1, id.str());
        return read_all(query);
    });
}

result<std::int64_t> audit_log::export_jsonl(std::ostream& out, std::optional<clock::time_point> since) {
    return detail::guarded("export the audit log", [&]() -> result<std::int64_t> {
        auto session = db_.acquire();
        sql::statement query(session.sql(), std::string(select_columns) + " WHERE time >= ? ORDER BY seq");
        query.bind(1, since ? format_iso8601_ms(*since) : std::string());
        std::int64_t written = 0;
        while (query.step()) {
            out << to_json_line(read_entry(query)) << '\n';
            ++written;
        }
        out.flush();
        return written;
    });
}

std::string to_json_line(const audit_entry& entry) {
    boost::json::object line;
    line["seq"] = entry.seq;
    line["time"] = entry.time;
    line["actor"] = entry.actor;
    line["action_id"] = entry.action ? boost::json::value(entry.action->str()) : boost::json::value(nullptr);
    line["event"] = entry.event;
    boost::system::error_code ec;
    boost::json::value detail = boost::json::parse(entry.detail_json, ec);
    // A hand-edited, unparsable detail is exported as the raw text rather than dropped.
    line["detail"] = ec ? boost::json::value(entry.detail_json) : detail;
    line["hash"] = entry.hash;
    return boost::json::serialize(line);
}

result<std::optional<audit_entry>> audit_log::newest_for_environment(std::string_view event,
                                                                   std::string_view environment) {
    auto all = entries();
    if (!all) {
        return std::unexpected(all.error());
    }
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
        if (it->event != event) {
            continue;
        }
        boost::system::error_code ec;
        auto detail = boost::json::parse(it->detail_json, ec);
        const auto* env = !ec && detail.is_object() ? detail.get_object().if_contains("environment") : nullptr;
        if (env != nullptr && env->is_string() && env->get_string() == environment) {
            return std::optional<audit_entry>{*it};
        }
    }
    return std::optional<audit_entry>{};
}

}  // namespace opsbot::storage
