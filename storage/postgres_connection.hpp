#pragma once
// The bot's state on PostgreSQL (issue 14, several replicas on one database): sql::connection over libpq, which
// is loaded on first use (pq/libpq.hpp). The SQLite twin is the connection storage::database opens on a file.

#include "core/error.hpp"
#include "storage/sql.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace opsbot::storage {

/// The key of the cluster-wide write lock: every write transaction (begin_write) takes
/// pg_advisory_xact_lock(postgres_write_lock_key) right after BEGIN, so writers on every replica serialise the
/// way processes do on one SQLite file (BEGIN IMMEDIATE), and the lock goes with the commit or rollback. The bytes
/// spell "opsbot" then 0x0001; an operator sharing the database with another program that takes advisory locks
/// must keep its keys away from it (pg_locks shows it as classid 0x6F707362, objid 0x6F740001).
inline constexpr std::int64_t postgres_write_lock_key = 0x6F7073626F740001;

/// Connects to the database `url` names (a libpq URI or key=value string, with its password: it comes from the
/// environment, issue 14). Errors are for the operator as is (error_kind::unavailable: libpq missing, the URL not
/// valid, the server unreachable or refusing) and never hold the password, even where libpq's message would echo it.
/// The URL and the password are registered with global_redactor(), so no log line shows them either.
///
/// The connection (not thread-safe, as every sql::connection):
///  - run(): `?` placeholders become $1…$n (storage/postgres_placeholders.hpp); an integer value is sent as int8 (so
///    `? + 1` is 64-bit, as in SQLite), text and NULL with their type left for the server to infer from where they
///    stand, so a text or NULL placeholder whose type nothing around it says wants a cast: `CAST(? AS TEXT) IS NULL`
///    (a bare `? IS NULL` with NULL bound is refused: "could not determine data type of parameter"). Rows come back
///    as text, except integer columns (int2/4/8) as
///    integers and booleans as 0/1; NULL as a null value. `changed` is the count of rows an INSERT, UPDATE or DELETE
///    (with or without RETURNING) touched, 0 for anything else.
///  - errors: SQLSTATE class 23 is failure::constraint, P0001 (a trigger's RAISE EXCEPTION) refused_by_trigger,
///    class 08, 57P01-57P03 or a connection libpq reports broken connection_lost; anything else other.
///  - a lost connection: the statement that finds it fails with connection_lost. The next run() outside a
///    transaction reconnects (PQreset, once per call) and runs; inside a transaction nothing is retried — the server
///    rolled it back with the connection — and every statement fails with connection_lost until rollback().
///  - begin_write(): BEGIN (READ COMMITTED) then the write lock above; begin_read(): BEGIN ISOLATION LEVEL
///    REPEATABLE READ READ ONLY, a snapshot that takes no lock. commit() of a transaction the server had already
///    failed throws instead of reporting success.
result<std::unique_ptr<sql::connection>> open_postgres(const std::string& url);

/// How messages name the database `url` points to, as libpq reads it: "PostgreSQL database `D` on `H`", never the user
/// or password; just "PostgreSQL" when libpq is missing or cannot read the URL.
std::string postgres_label(const std::string& url);

/// How a PostgreSQL error reaches the stores (exposed for tests): by its SQLSTATE ("" when there is none) and
/// whether libpq reports the connection broken after the call.
sql::failure postgres_failure(std::string_view sqlstate, bool connection_broken);

}  // namespace opsbot::storage
