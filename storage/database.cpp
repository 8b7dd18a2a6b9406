#include "storage/database.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "core/file_modes.hpp"
#include "storage/schema_migrations.hpp"

namespace opsbot::storage {
namespace {

constexpr int busy_timeout_ms = 5000;

std::string display_name(const std::string& path) {
    if (path == ":memory:") {
        return path;
    }
    return std::filesystem::path(path).filename().string();
}

bool has_table(SQLite::Database& sql, const char* name) {
    SQLite::Statement query(sql, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    query.bind(1, name);
    return query.executeStep();
}

int read_version(SQLite::Database& sql) {
    if (!has_table(sql, "schema_version")) {
        return 0;
    }
    return sql.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt();
}

void check_not_newer(const std::string& path, int version) {
    int known = database::latest_schema_version();
    if (version > known) {
        throw database_error(fmt::format("{} has schema version {} but this opsbot knows up to {}: upgrade opsbot",
                                         display_name(path), version, known));
    }
}

void migrate(SQLite::Database& sql, const std::string& path) {
    int applied = 0;
    sql.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
    // One IMMEDIATE transaction for all pending steps: a second process starting at the same time waits here
    // instead of migrating twice, a failed step leaves the file as it was, and a new file costs one commit.
    SQLite::Transaction transaction(sql, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = read_version(sql);
    check_not_newer(path, current);
    for (const migration& step : schema_migrations()) {
        if (step.version <= current) {
            continue;
        }
        try {
            sql.exec(std::string(step.sql));
        } catch (const SQLite::Exception& e) {
            throw database_error(fmt::format("{}: migration {} ({}) failed: {}", display_name(path), step.version,
                                             step.description, e.what()));
        }
        SQLite::Statement record(sql, "INSERT INTO schema_version (version, description) VALUES (?, ?)");
        record.bind(1, step.version);
        record.bind(2, std::string(step.description));
        record.exec();
        spdlog::debug("storage: applied migration {} ({})", step.version, step.description);
        ++applied;
    }
    transaction.commit();
    if (applied > 0) {
        spdlog::info("storage: {} migrated to schema version {} ({} migration(s) applied)", display_name(path),
                     read_version(sql), applied);
    }
}

/// docs/design.md "Security rules": the database is its owner's only. A new file is created 0600 before SQLite opens it
/// (SQLite would create it 0644 less the umask), and SQLite gives the -wal and -shm files the database's mode. Files
/// an older opsbot (or a looser umask) left readable by others are tightened, with a log line each.
void make_private(const std::string& path) {
    if (!std::filesystem::exists(path)) {
        if (auto created = create_private_file(path); !created && created.error().kind != error_kind::conflict) {
            throw database_error(fmt::format("cannot create database {}: {}", path, created.error().message));
        }
    }
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
        if (auto tightened = tighten_mode(file); !tightened) {
            throw database_error(tightened.error().message);
        }
    }
}

}  // namespace

struct database::impl {
    std::string path;
    std::mutex mutex;
    std::unique_ptr<SQLite::Database> sql;
};

database::database(const std::string& path, open_mode mode) : impl_(std::make_unique<impl>()) {
    impl_->path = path;
    if (mode == open_mode::read_only && path != ":memory:" && !std::filesystem::exists(path)) {
        throw database_error(fmt::format("no such database file: {}", path));
    }
    if (mode == open_mode::create && path != ":memory:" && !path.empty()) {
        make_private(path);
    }
    int flags = mode == open_mode::read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    try {
        impl_->sql = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
        auto& sql = *impl_->sql;
        sql.exec("PRAGMA foreign_keys = ON");
        if (mode == open_mode::read_only) {
            if (!has_table(sql, "schema_version")) {
                throw database_error(fmt::format("{} is not an opsbot database (no schema_version table)", path));
            }
            check_not_newer(path, read_version(sql));
            return;
        }
        // synchronous first: switching a new file to WAL is itself a write, and FULL would sync it twice over.
        sql.exec("PRAGMA synchronous = NORMAL");
        sql.exec("PRAGMA journal_mode = WAL");
        migrate(sql, path);
    } catch (const SQLite::Exception& e) {
        throw database_error(fmt::format("cannot open database {}: {}", path, e.what()));
    }
}

database::~database() = default;

database::session database::acquire() {
    return session(impl_->mutex, *impl_->sql);
}

int database::schema_version() {
    auto s = acquire();
    return read_version(s.sql());
}

int database::latest_schema_version() {
    int latest = 0;
    for (const migration& step : schema_migrations()) {
        latest = std::max(latest, step.version);
    }
    return latest;
}

const std::string& database::path() const {
    return impl_->path;
}

}  // namespace opsbot::storage
