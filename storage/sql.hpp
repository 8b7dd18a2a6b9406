#pragma once
// One SQL layer for the bot's own state, on SQLite (the embedded default) or PostgreSQL (replicas).
//
// The stores write their SQL once, in the dialect both engines accept: `?` placeholders (the PostgreSQL
// connection numbers them $1, $2, … outside quoted text), INSERT … ON CONFLICT … DO NOTHING / DO UPDATE,
// INSERT … RETURNING, integers for times (ms since the epoch) and booleans (0/1). What differs — the
// schema's DDL and triggers, how a write transaction serialises — lives in the connection and the
// migrations, never in a store.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::storage::sql {

enum class backend { sqlite, postgresql };

/// What went wrong, as far as a store needs to know: a constraint refused the row (UNIQUE, CHECK, FOREIGN KEY,
/// NOT NULL: SQLite's SQLITE_CONSTRAINT, PostgreSQL's class 23), a trigger refused the change (RAISE(ABORT) /
/// plpgsql RAISE EXCEPTION, SQLSTATE P0001), the connection is gone (PostgreSQL restarted, network), or other.
enum class failure { constraint, refused_by_trigger, connection_lost, other };

/// Every engine error reaches the stores as this exception; storage::detail::guarded turns it into a result.
/// The message is the engine's and may quote SQL, never bound values.
class error : public std::runtime_error {
public:
    error(failure kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    failure kind() const { return kind_; }

private:
    failure kind_;
};

/// One bound value or one column of a row: NULL, a 64-bit integer or text.
class value {
public:
    value() = default;  // NULL
    value(std::nullptr_t) {}
    value(std::int64_t v) : kind_(kind::integer), integer_(v) {}
    value(int v) : value(static_cast<std::int64_t>(v)) {}
    value(std::string v) : kind_(kind::text), text_(std::move(v)) {}
    value(std::string_view v) : value(std::string(v)) {}
    value(const char* v) : value(std::string(v)) {}

    bool is_null() const { return kind_ == kind::null; }
    /// True for an integer; a connection binds it as one (SQLite keeps integers and text apart).
    bool is_integer() const { return kind_ == kind::integer; }
    /// The integer, or text parsed as one (PostgreSQL's text results); error(other) for NULL or non-numeric text.
    std::int64_t as_int64() const;
    int as_int() const { return static_cast<int>(as_int64()); }
    /// The text, or an integer printed; "" for NULL.
    std::string as_string() const;

private:
    enum class kind { null, integer, text };
    kind kind_ = kind::null;
    std::int64_t integer_ = 0;
    std::string text_;
};

/// What a connection runs for a statement: rows (possibly none) and the count of rows changed.
struct result_rows {
    std::vector<std::vector<value>> rows;
    std::int64_t changed = 0;
};

/// One connection to the bot's database. Not thread-safe: storage::database hands it out under its mutex.
class connection {
public:
    virtual ~connection() = default;
    virtual backend kind() const = 0;

    /// Runs one statement with `?` placeholders bound to `params` (1-based in order); throws sql::error.
    virtual result_rows run(std::string_view text, const std::vector<value>& params) = 0;

    /// Runs a script of several statements without parameters (migrations); throws sql::error.
    virtual void run_script(std::string_view script) = 0;

    /// A transaction that writes: SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN plus the cluster-wide write lock
    /// (pg_advisory_xact_lock), so writers serialise across replicas exactly as processes do on one SQLite file.
    virtual void begin_write() = 0;
    /// A transaction that only reads (a consistent snapshot): SQLite BEGIN DEFERRED; PostgreSQL BEGIN REPEATABLE READ.
    virtual void begin_read() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
};

/// A statement in the SQLiteCpp style the stores were written in: bind, then step through rows or exec.
/// It runs on the first step()/exec() and holds all rows (the bot's queries are small and bounded).
class statement {
public:
    statement(connection& conn, std::string_view text) : conn_(&conn), text_(text) {}

    /// 1-based, as SQLite numbers placeholders.
    statement& bind(int index, value v);

    /// Runs the statement on the first call; then true while there is a row to read.
    bool step();
    /// Runs a statement that returns no rows; the count of rows it changed.
    std::int64_t exec();

    /// A column of the current row (0-based); error(other) without a current row or past the last column.
    const value& column(int index) const;

private:
    connection* conn_;
    std::string text_;
    std::vector<value> params_;
    result_rows result_;
    bool ran_ = false;
    std::size_t next_ = 0;  // the row step() moves to
};

/// RAII: begin on construction, roll back unless commit() was called. Not nestable.
class transaction {
public:
    enum class mode { write, read };
    explicit transaction(connection& conn, mode m = mode::write);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    connection* conn_;
    bool open_ = true;
};

}  // namespace opsbot::storage::sql
