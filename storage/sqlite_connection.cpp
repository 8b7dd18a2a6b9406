#include "storage/sqlite_connection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/file_modes.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {
namespace {

constexpr int busy_timeout_ms = 5000;

/// SQLite's codes as the stores need them (sql.hpp): a trigger's RAISE(ABORT) is reported as the extended code
/// SQLITE_CONSTRAINT_TRIGGER, any other constraint as some SQLITE_CONSTRAINT_*.
sql::error to_sql_error(const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_TRIGGER) {
        return sql::error(sql::failure::refused_by_trigger, e.what());
    }
    if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
        return sql::error(sql::failure::constraint, e.what());
    }
    return sql::error(sql::failure::other, e.what());
}

void bind(SQLite::Statement& statement, int index, const sql::value& v) {
    if (v.is_null()) {
        statement.bind(index);
    } else if (v.is_integer()) {
        statement.bind(index, static_cast<int64_t>(v.as_int64()));
    } else {
        statement.bind(index, v.as_string());
    }
}

sql::value read_column(const SQLite::Column& column) {
    if (column.isNull()) {
        return {};
    }
    if (column.isInteger()) {
        return sql::value(static_cast<std::int64_t>(column.getInt64()));
    }
    if (column.isText()) {
        return sql::value(column.getString());
    }
    // The schema stores integers and text only (sql.hpp); a REAL or BLOB is someone else's edit, not ours to guess.
    throw sql::error(sql::failure::other,
                     fmt::format("column {} holds a {} value; the bot's schema uses only integers and text",
                                 column.getName(), column.isFloat() ? "REAL" : "BLOB"));
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

sqlite_connection::sqlite_connection(const std::string& path, bool read_only) {
    if (read_only && path != ":memory:" && !std::filesystem::exists(path)) {
        throw database_error(fmt::format("no such database file: {}", path));
    }
    if (!read_only && path != ":memory:" && !path.empty()) {
        make_private(path);
    }
    const int flags = read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    try {
        db_ = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
        db_->exec("PRAGMA foreign_keys = ON");
        if (!read_only) {
            // synchronous first: switching a new file to WAL is itself a write, and FULL would sync it twice over.
            db_->exec("PRAGMA synchronous = NORMAL");
            db_->exec("PRAGMA journal_mode = WAL");
        }
    } catch (const SQLite::Exception& e) {
        throw database_error(fmt::format("cannot open database {}: {}", path, e.what()));
    }
}

sqlite_connection::~sqlite_connection() = default;

sql::result_rows sqlite_connection::run(std::string_view text, const std::vector<sql::value>& params) {
    try {
        SQLite::Statement statement(*db_, std::string(text));
        for (std::size_t i = 0; i < params.size(); ++i) {
            bind(statement, static_cast<int>(i) + 1, params[i]);
        }
        sql::result_rows out;
        const auto changes_before = sqlite3_total_changes64(db_->getHandle());
        while (statement.executeStep()) {
            std::vector<sql::value> row;
            row.reserve(static_cast<std::size_t>(statement.getColumnCount()));
            for (int c = 0; c < statement.getColumnCount(); ++c) {
                row.push_back(read_column(statement.getColumn(c)));
            }
            out.rows.push_back(std::move(row));
        }
        // sqlite3_changes() still counts the last INSERT/UPDATE/DELETE after a SELECT; the total moves only when this
        // statement changed rows, and then sqlite3_changes() is its own count (without rows changed by triggers).
        if (sqlite3_total_changes64(db_->getHandle()) != changes_before) {
            out.changed = sqlite3_changes64(db_->getHandle());
        }
        return out;
    } catch (const SQLite::Exception& e) {
        throw to_sql_error(e);
    }
}

void sqlite_connection::run_script(std::string_view script) {
    try {
        db_->exec(std::string(script));
    } catch (const SQLite::Exception& e) {
        throw to_sql_error(e);
    }
}

void sqlite_connection::begin_write() {
    // IMMEDIATE takes the write lock before the first read, so two processes deciding on the same rows serialise.
    run_script("BEGIN IMMEDIATE");
}

void sqlite_connection::begin_read() {
    run_script("BEGIN DEFERRED");
}

void sqlite_connection::commit() {
    run_script("COMMIT");
}

void sqlite_connection::rollback() noexcept {
    // Some errors end the transaction themselves (SQLITE_FULL, an interrupt): then there is nothing left to undo.
    if (sqlite3_get_autocommit(db_->getHandle()) != 0) {
        return;
    }
    try {
        db_->exec("ROLLBACK");
    } catch (const std::exception& e) {
        spdlog::warn("storage: rollback failed: {}", e.what());
    }
}

}  // namespace opsbot::storage
