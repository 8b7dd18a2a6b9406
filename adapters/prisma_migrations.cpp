#include "adapters/prisma_migrations.hpp"

#include "adapters/pg_session.hpp"
#include "core/redactor.hpp"
#include "core/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace opsbot::adapters {
namespace {

namespace fs = std::filesystem;

// The runbook's query (§8) plus checksum and logs; times in UTC text so they compare with audit times.
constexpr const char* rows_query =
    "SELECT id, migration_name, checksum,"
    " to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), ''),"
    " coalesce(to_char(rolled_back_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), ''),"
    " coalesce(logs, ''), applied_steps_count"
    " FROM _prisma_migrations ORDER BY started_at, migration_name";

}  // namespace

const prisma_migration_row* prisma_status::applied_row(std::string_view name) const {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (it->name == name && it->applied()) {
            return &*it;
        }
    }
    return nullptr;
}

const prisma_migration_folder* prisma_status::folder(std::string_view name) const {
    auto it = std::find_if(folders.begin(), folders.end(), [&](const auto& f) { return f.name == name; });
    return it == folders.end() ? nullptr : &*it;
}

result<std::vector<prisma_migration_folder>> read_migration_folders(const std::string& workdir) {
    const fs::path root = fs::path(workdir) / "prisma" / "migrations";
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        return fail(error_kind::unavailable,
                    fmt::format("{} is not a directory (config: migrations.workdir)", root.string()));
    }
    std::vector<prisma_migration_folder> out;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const fs::path script = entry.path() / "migration.sql";
        if (!entry.is_directory() || !fs::is_regular_file(script)) {
            continue;
        }
        std::ifstream in(script, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        out.push_back({entry.path().filename().string(), sha256_hex(text.str())});
    }
    if (ec) {
        return fail(error_kind::unavailable, fmt::format("cannot list {}: {}", root.string(), ec.message()));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

result<std::optional<std::vector<prisma_migration_row>>> read_migration_rows(const std::string& url) {
    auto session = pg_session::open(url);
    if (!session) {
        return std::unexpected(session.error());
    }
    const pq::libpq_api& pq = session->api();
    auto exists =
        session->exec("SELECT to_regclass('_prisma_migrations') IS NOT NULL", "looking for _prisma_migrations");
    if (!exists) {
        return std::unexpected(exists.error());
    }
    if (std::string_view(pq.getvalue(exists->get(), 0, 0)) != "t") {
        return std::optional<std::vector<prisma_migration_row>>{};
    }
    auto found = session->exec(rows_query, "reading _prisma_migrations");
    if (!found) {
        return std::unexpected(found.error());
    }
    const pg_result& res = *found;
    std::vector<prisma_migration_row> rows;
    for (int i = 0; i < pq.ntuples(res.get()); ++i) {
        prisma_migration_row r;
        r.id = pq.getvalue(res.get(), i, 0);
        r.name = pq.getvalue(res.get(), i, 1);
        r.checksum = pq.getvalue(res.get(), i, 2);
        r.started_at = pq.getvalue(res.get(), i, 3);
        r.finished_at = pq.getvalue(res.get(), i, 4);
        r.rolled_back_at = pq.getvalue(res.get(), i, 5);
        r.logs = global_redactor().redact(pq.getvalue(res.get(), i, 6));
        r.applied_steps_count = std::atoi(pq.getvalue(res.get(), i, 7));
        rows.push_back(std::move(r));
    }
    return std::optional{std::move(rows)};
}

prisma_status classify_migrations(std::optional<std::vector<prisma_migration_row>> rows,
                                  std::vector<prisma_migration_folder> folders) {
    prisma_status s;
    s.managed = rows.has_value();
    s.rows = rows ? std::move(*rows) : std::vector<prisma_migration_row>{};
    s.folders = std::move(folders);
    std::set<std::string> failed_names;
    for (const auto& r : s.rows) {
        if (r.failed()) {
            s.failed.push_back(r.name);
            failed_names.insert(r.name);
        }
    }
    for (const auto& f : s.folders) {
        const auto* row = s.applied_row(f.name);
        if (row != nullptr) {
            s.applied.push_back(f.name);
            if (row->checksum != f.checksum) {
                s.modified.push_back(f.name);
            }
        } else if (!failed_names.contains(f.name)) {
            s.pending.push_back(f.name);
        }
    }
    for (const auto& r : s.rows) {
        if (r.applied() && s.folder(r.name) == nullptr &&
            std::find(s.missing.begin(), s.missing.end(), r.name) == s.missing.end()) {
            s.missing.push_back(r.name);
        }
    }
    return s;
}

namespace {

std::string_view trim_view(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

/// Calls `line(text)` for each line of `text`, trimmed.
template <class F>
void for_each_line(std::string_view text, F line) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        line(trim_view(text.substr(0, end)));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
}

std::string squeezed(std::string_view line, std::size_t limit) {
    std::string out;
    for (char c : line) {
        if (c == ' ' && !out.empty() && out.back() == ' ') {
            continue;  // libpq writes "ERROR:  message" with two spaces
        }
        out += c;
    }
    if (out.size() > limit) {
        out = out.substr(0, limit) + "…";
    }
    return out;
}

bool quotes_row_data(std::string_view line) {
    return line.starts_with("DETAIL:") || line.starts_with("CONTEXT:") || line.starts_with("WHERE:") ||
           line.find("DbError {") != std::string_view::npos;
}

}  // namespace

std::string migration_error_summary(std::string_view logs) {
    std::string code;
    std::string error;
    std::string first;
    for_each_line(logs, [&](std::string_view line) {
        if (code.empty() && line.starts_with("Database error code:")) {
            code = squeezed(line, 60);
        } else if (error.empty() && line.starts_with("ERROR:")) {
            error = squeezed(line, 240);
        } else if (first.empty() && !line.empty() && !quotes_row_data(line)) {
            first = squeezed(line, 240);
        }
    });
    if (code.empty() && error.empty()) {
        return first;
    }
    return code.empty() || error.empty() ? code + error : code + "; " + error;
}

std::string without_row_data(std::string_view output) {
    std::string out;
    for_each_line(output, [&](std::string_view line) {
        if (!quotes_row_data(line)) {
            out += std::string(line) + "\n";
        }
    });
    return out;
}

result<prisma_status> read_prisma_status(const std::string& url, const std::string& workdir) {
    auto folders = read_migration_folders(workdir);
    if (!folders) {
        return std::unexpected(folders.error());
    }
    auto rows = read_migration_rows(url);
    if (!rows) {
        return std::unexpected(rows.error());
    }
    return classify_migrations(std::move(*rows), std::move(*folders));
}

}  // namespace opsbot::adapters
