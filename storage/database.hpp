#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace SQLite {
class Database;
}

namespace opsbot::storage {

/// Thrown at start-up only: the file cannot be opened, a migration failed, or the schema is newer than
/// this binary knows. The message is meant for the operator as is.
class database_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class open_mode {
    create,     ///< read-write; create the file if missing; apply pending migrations (the bot)
    read_only,  ///< the file must exist; nothing is written, no migration runs (`opsbot audit …`)
};

/// The bot's own SQLite database (one file, or ":memory:" in tests).
///
/// Opening sets WAL, foreign_keys=ON, busy_timeout=5000 ms, synchronous=NORMAL, then applies the numbered
/// migrations of schema_migrations.cpp, each in its own transaction, recording them in `schema_version`.
/// A database whose version is higher than this binary knows is refused with database_error.
///
/// Thread-safety: there is one connection, guarded by one mutex. Every store method takes a session (the
/// lock) for the whole of its transaction, so calls from the worker pool are serialized; they are short.
/// Other processes (a second bot, `sqlite3`) are handled by SQLite's own locking and the busy timeout.
class database {
public:
    explicit database(const std::string& path, open_mode mode = open_mode::create);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    /// Exclusive use of the connection while it lives. Do not call another store from inside one:
    /// the mutex is not recursive.
    class session {
    public:
        SQLite::Database& sql() { return *sql_; }

    private:
        friend class database;
        session(std::mutex& mutex, SQLite::Database& sql) : lock_(mutex), sql_(&sql) {}
        std::unique_lock<std::mutex> lock_;
        SQLite::Database* sql_;
    };

    session acquire();

    /// The highest migration applied to this file.
    int schema_version();

    /// The highest migration this binary knows.
    static int latest_schema_version();

    const std::string& path() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::storage
