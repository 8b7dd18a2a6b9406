#include "storage/migration_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/database.hpp"

namespace opsbot::storage {
namespace {

// The table that records applied migrations, per engine. SQLite keeps the table every existing file already has
// (applied_at as ISO-8601 text, filled by SQLite). PostgreSQL gets the same columns with the same text, filled by
// the server, so `opsbot migrate-state` and anyone reading the table see one shape on both.
constexpr std::string_view sqlite_version_table =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
constexpr std::string_view postgres_version_table =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL DEFAULT "
    "(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')))";

int max_version(sql::connection& conn) {
    sql::statement query(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    query.step();
    return query.column(0).as_int();
}

/// Asked first because PostgreSQL checks the CREATE privilege even for CREATE TABLE IF NOT EXISTS, and the bot's own
/// role, which cannot create tables (storage/schema_postgres.cpp), must still start on a migrated database.
bool has_version_table(sql::connection& conn) {
    sql::statement query(conn, conn.kind() == sql::backend::sqlite
                                   ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
                                   : "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_version' "
                                     "AND schemaname = current_schema()");
    query.step();
    return query.column(0).as_int64() > 0;
}

}  // namespace

int read_schema_version(sql::connection& conn, const std::string& name) {
    try {
        return max_version(conn);
    } catch (const sql::error& e) {
        if (e.kind() == sql::failure::connection_lost) {
            throw;
        }
        throw database_error(fmt::format("{} is not an opsbot database (no schema_version table: {})", name, e.what()));
    }
}

void check_not_newer(const std::string& name, int version, std::span<const migration> steps) {
    const int known = latest_version(steps);
    if (version > known) {
        throw database_error(fmt::format("{} has schema version {} but this opsbot knows up to {}: upgrade opsbot",
                                         name, version, known));
    }
}

int latest_version(std::span<const migration> steps) {
    int latest = 0;
    for (const migration& step : steps) {
        latest = std::max(latest, step.version);
    }
    return latest;
}

void apply_migrations(sql::connection& conn, std::span<const migration> steps, const std::string& name) {
    int applied = 0;
    if (!has_version_table(conn)) {
        // In a transaction of its own, so that it stays when a migration fails (the database is then at version 0, not
        // unknown), and under the write lock, so that two replicas creating it at once on PostgreSQL do not collide.
        sql::transaction create(conn, sql::transaction::mode::write);
        conn.run_script(conn.kind() == sql::backend::sqlite ? sqlite_version_table : postgres_version_table);
        create.commit();
    }
    {
        // One write transaction for all pending steps: a second process (or replica) starting at the same time waits
        // here instead of migrating twice, a failed step leaves the database as it was, and a new one costs one commit.
        sql::transaction transaction(conn, sql::transaction::mode::write);
        const int current = max_version(conn);
        check_not_newer(name, current, steps);
        for (const migration& step : steps) {
            if (step.version <= current) {
                continue;
            }
            try {
                conn.run_script(step.sql);
            } catch (const sql::error& e) {
                throw database_error(fmt::format("{}: migration {} ({}) failed: {}", name, step.version,
                                                 step.description, e.what()));
            }
            sql::statement record(conn, "INSERT INTO schema_version (version, description) VALUES (?, ?)");
            record.bind(1, step.version);
            record.bind(2, step.description);
            record.exec();
            spdlog::debug("storage: applied migration {} ({})", step.version, step.description);
            ++applied;
        }
        transaction.commit();
    }
    if (applied > 0) {
        spdlog::info("storage: {} migrated to schema version {} ({} migration(s) applied)", name, max_version(conn),
                     applied);
    }
}

}  // namespace opsbot::storage
