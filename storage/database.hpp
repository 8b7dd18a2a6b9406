#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "storage/sql.hpp"

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

/// The bot's own database: one SQLite file (or ":memory:" in tests) or a PostgreSQL connection, behind one
/// sql::connection (storage/sql.hpp) that every store writes its SQL against.
///
/// Opening an SQLite file sets WAL, foreign_keys=ON, busy_timeout=5000 ms, synchronous=NORMAL
/// (storage/sqlite_connection.hpp). Then, whatever the engine, the numbered migrations of its backend
/// (schema_migrations.cpp for SQLite, schema_postgres.cpp for PostgreSQL) are applied in one write transaction and
/// recorded in `schema_version` (storage/migration_runner.hpp). A database whose version is higher than this binary
/// knows is refused with database_error.
///
/// Thread-safety: there is one connection, guarded by one mutex. Every store method takes a session (the
/// lock) for the whole of its transaction, so calls from the worker pool are serialized; they are short.
/// Other processes (a second bot, `sqlite3`) are handled by SQLite's own locking and the busy timeout.
class database {
public:
    /// An SQLite file.
    explicit database(const std::string& path, open_mode mode = open_mode::create);
    /// Any connection (PostgreSQL for replicas): migrations of conn->kind() are applied (open_mode::create) or the
    /// schema version is only checked (read_only). `display_name` names it in messages and is path()'s answer; it
    /// must hold no password.
    database(std::unique_ptr<sql::connection> conn, std::string display_name, open_mode mode = open_mode::create);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    /// Exclusive use of the connection while it lives. Do not call another store from inside one:
    /// the mutex is not recursive.
    class session {
    public:
        sql::connection& sql() { return *sql_; }
        /// This process's replica id (set_replica), "" when none was set.
        const std::string& replica() const { return *replica_; }

    private:
        friend class database;
        session(std::mutex& mutex, sql::connection& sql, const std::string& replica)
            : lock_(mutex), sql_(&sql), replica_(&replica) {}
        std::unique_lock<std::mutex> lock_;
        sql::connection* sql_;
        const std::string* replica_;
    };

    session acquire();

    /// Names this process among the replicas sharing the database (storage/replica_store.hpp): an action that this
    /// process approves or starts running is owned by it (actions.owner). Unset (""), actions get no owner.
    void set_replica(const std::string& id);
    std::string replica();

    /// The highest migration applied to this file.
    int schema_version();

    /// The highest SQLite migration this binary knows.
    static int latest_schema_version();

    /// Which engine holds the state.
    sql::backend backend() const;

    const std::string& path() const;

private:
    database(std::unique_ptr<sql::connection> conn, const std::string& path, const std::string& short_name,
             open_mode mode);

    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::storage
