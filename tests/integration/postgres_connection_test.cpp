// The PostgreSQL sql::connection (storage/postgres_connection.hpp) against the real server of `make test`:
// placeholders, values, counts, error kinds, the cluster-wide write lock, transactions, a lost connection and the
// password kept out of every message (issue 14 item 1).
#include "storage/postgres_connection.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/postgres_fixture.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <future>
#include <thread>

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<sql::connection> connect(const std::string& url) {
    auto conn = open_postgres(url);
    INFO((conn ? std::string("connected") : conn.error().message));
    REQUIRE(conn);
    return std::move(*conn);
}

sql::result_rows run(sql::connection& conn, std::string_view text, const std::vector<sql::value>& params = {}) {
    return conn.run(text, params);
}

/// The sql::error a call throws (REQUIREs that it throws one).
template <class F>
sql::error error_of(F&& call) {
    try {
        call();
    } catch (const sql::error& e) {
        return e;
    }
    FAIL("no sql::error was thrown");
    return sql::error(sql::failure::other, "unreachable");
}

/// Polls `probe` until it is true or 20 s have passed: observable state on the server, not a sleep.
template <class F>
bool eventually(F&& probe) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (probe()) {
            return true;
        }
        std::this_thread::yield();
    }
    return probe();
}

std::int64_t backend_pid(sql::connection& conn) {
    return run(conn, "SELECT pg_backend_pid()").rows.at(0).at(0).as_int64();
}

/// Ends `pid`'s session from the server side (as a restart or an operator would) and waits until it is gone.
void terminate_backend(const testing::scratch_database& db, std::int64_t pid) {
    REQUIRE(db.scalar("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 10000)") == "t");
}

}  // namespace

TEST_CASE("placeholders become $n outside quoted text on a real server", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    const auto result =
        run(*conn, "SELECT ?::text AS \"what?\", '?' AS literal, -- is this a placeholder?\n ?::bigint + 1", {"x", 41});
    REQUIRE(result.rows.size() == 1);
    CHECK(result.rows[0][0].as_string() == "x");
    CHECK(result.rows[0][1].as_string() == "?");
    CHECK(result.rows[0][2].as_int64() == 42);
    CHECK(result.changed == 0);
    // An integer is sent as int8, so arithmetic on a bare placeholder is 64-bit as in SQLite; a NULL placeholder
    // nothing around gives a type wants the cast storage/postgres_connection.hpp asks for.
    const std::int64_t ms = 1'765'000'000'000LL;
    const auto cast = run(*conn, "SELECT ? + 1, CAST(? AS TEXT) IS NULL", {ms, nullptr});
    CHECK(cast.rows.at(0).at(0).as_int64() == ms + 1);
    CHECK(cast.rows.at(0).at(1).as_int64() == 1);
    // More values than placeholders is a mistake in the store, not something to guess about.
    CHECK(error_of([&] { run(*conn, "SELECT '?'", {1}); }).kind() == sql::failure::other);
}

TEST_CASE("NULL, 64-bit integers and text round-trip", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    conn->run_script("CREATE TABLE t (id BIGINT PRIMARY KEY, at_ms BIGINT, name TEXT, flag BOOLEAN)");
    const std::int64_t big = 1'765'000'000'123LL;  // a time in ms: beyond 32 bits
    const std::string text = "it's \"quoted\", ? and ünïcode\n";
    run(*conn, "INSERT INTO t (id, at_ms, name, flag) VALUES (?, ?, ?, ?)", {1, big, text, "true"});
    run(*conn, "INSERT INTO t (id, at_ms, name, flag) VALUES (?, ?, ?, ?)", {2, nullptr, nullptr, nullptr});
    // Fewer values than placeholders: the rest are NULL, as in SQLite.
    run(*conn, "INSERT INTO t (id, at_ms, name) VALUES (?, ?, ?)", {3});

    const auto rows = run(*conn, "SELECT id, at_ms, name, flag FROM t ORDER BY id").rows;
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0].as_int64() == 1);
    CHECK(rows[0][1].as_int64() == big);
    CHECK(rows[0][2].as_string() == text);
    CHECK(rows[0][3].as_int64() == 1);  // a boolean reads as 0/1, as SQLite stores it
    for (int column = 1; column <= 3; ++column) {
        CHECK(rows[1][column].is_null());
        CHECK(rows[2][column].is_null());
    }
    CHECK(run(*conn, "SELECT id FROM t WHERE at_ms = ?", {big}).rows.at(0).at(0).as_int64() == 1);
    CHECK(run(*conn, "SELECT count(*) FROM t WHERE name IS NULL").rows.at(0).at(0).as_int64() == 2);
}

TEST_CASE("changed counts the rows written, and RETURNING gives rows back", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    conn->run_script("CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT UNIQUE)");
    const auto inserted = run(*conn, "INSERT INTO t (name) VALUES (?) RETURNING id", {"a"});
    CHECK(inserted.changed == 1);
    REQUIRE(inserted.rows.size() == 1);
    CHECK(inserted.rows[0][0].as_int64() == 1);
    CHECK(run(*conn, "INSERT INTO t (name) VALUES (?), (?)", {"b", "c"}).changed == 2);
    CHECK(run(*conn, "INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING", {"a"}).changed == 0);
    CHECK(run(*conn, "UPDATE t SET name = name || '!' WHERE id > ?", {1}).changed == 2);
    CHECK(run(*conn, "UPDATE t SET name = 'z' WHERE id > ?", {99}).changed == 0);
    const auto deleted = run(*conn, "DELETE FROM t WHERE id = ? RETURNING name", {3});
    CHECK(deleted.changed == 1);
    CHECK(deleted.rows.at(0).at(0).as_string() == "c!");
    CHECK(run(*conn, "SELECT * FROM t").changed == 0);

    sql::statement count(*conn, "SELECT count(*) FROM t WHERE id <> ?");
    count.bind(1, 0);
    REQUIRE(count.step());
    CHECK(count.column(0).as_int64() == 2);
    CHECK_FALSE(count.step());
}

TEST_CASE("a constraint and a trigger refusing a row are told apart", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    conn->run_script(R"sql(
        CREATE TABLE t (id BIGINT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('new', 'done')));
        CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'rows of t are never deleted'; END $$;
        CREATE TRIGGER t_no_delete BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION refuse();
    )sql");
    run(*conn, "INSERT INTO t VALUES (?, ?)", {1, "new"});

    const auto duplicate = error_of([&] { run(*conn, "INSERT INTO t VALUES (?, ?)", {1, "new"}); });
    CHECK(duplicate.kind() == sql::failure::constraint);
    CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (?, ?)", {2, "bogus"}); }).kind() ==
          sql::failure::constraint);
    CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (?, ?)", {3, nullptr}); }).kind() ==
          sql::failure::constraint);

    const auto refused = error_of([&] { run(*conn, "DELETE FROM t WHERE id = ?", {1}); });
    CHECK(refused.kind() == sql::failure::refused_by_trigger);
    CHECK(std::string(refused.what()).find("rows of t are never deleted") != std::string::npos);

    CHECK(error_of([&] { run(*conn, "SELEKT 1"); }).kind() == sql::failure::other);
    CHECK(error_of([&] { conn->run_script("SELECT 1; SELEKT 2"); }).kind() == sql::failure::other);
    // The connection is still usable after each refusal.
    CHECK(run(*conn, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64() == 1);
}

TEST_CASE("write transactions on two connections serialise on the cluster write lock", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto first = connect(db.url());
    auto second = connect(db.url());
    first->run_script("CREATE TABLE t (id BIGINT PRIMARY KEY)");

    sql::transaction writing(*first);
    const std::int64_t second_pid = backend_pid(*second);
    // The second writer: BEGIN, then waits for the lock; once it has it, it reads what the first one committed.
    std::promise<std::int64_t> seen;
    auto seen_count = seen.get_future();
    std::thread other([&] {
        try {
            sql::transaction tx(*second);
            const auto count = run(*second, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64();
            run(*second, "INSERT INTO t VALUES (2)");
            tx.commit();
            seen.set_value(count);
        } catch (...) {
            seen.set_exception(std::current_exception());
        }
    });

    // The documented key, split as pg_locks shows a bigint advisory lock: classid the high half, objid the low one.
    const std::string waiting_on_lock = fmt::format(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = {} AND classid = {} "
        "AND objid = {} AND objsubid = 1",
        second_pid, static_cast<std::uint64_t>(postgres_write_lock_key) >> 32,
        static_cast<std::uint64_t>(postgres_write_lock_key) & 0xFFFFFFFFu);
    const bool blocked = eventually([&] { return db.scalar(waiting_on_lock) == "1"; });
    CHECK(blocked);
    CHECK(seen_count.wait_for(0s) == std::future_status::timeout);  // still waiting while the first one writes

    run(*first, "INSERT INTO t VALUES (1)");
    writing.commit();
    REQUIRE(seen_count.wait_for(20s) == std::future_status::ready);
    other.join();
    CHECK(seen_count.get() == 1);  // it ran after the first commit and saw its row
    CHECK(db.scalar("SELECT count(*) FROM t") == "2");
}

TEST_CASE("a transaction not committed is rolled back, and a read transaction cannot write", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    conn->run_script("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    {
        sql::transaction tx(*conn);
        run(*conn, "INSERT INTO t VALUES (1)");
        CHECK(run(*conn, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64() == 1);
    }
    CHECK(db.scalar("SELECT count(*) FROM t") == "0");
    {
        sql::transaction tx(*conn);
        run(*conn, "INSERT INTO t VALUES (2)");
        tx.commit();
    }
    CHECK(db.scalar("SELECT count(*) FROM t") == "1");
    {
        sql::transaction tx(*conn, sql::transaction::mode::read);
        CHECK(run(*conn, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64() == 1);
        CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (3)"); }).kind() == sql::failure::other);
    }
    // A transaction a statement failed in does not report a successful commit.
    {
        sql::transaction tx(*conn);
        CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (2)"); }).kind() == sql::failure::constraint);
        CHECK(error_of([&] { tx.commit(); }).kind() == sql::failure::other);
    }
    CHECK(run(*conn, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64() == 1);
}

TEST_CASE("a connection the server ended is reported lost, then the next statement reconnects",
          "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    const std::int64_t before = backend_pid(*conn);
    terminate_backend(db, before);
    CHECK(error_of([&] { run(*conn, "SELECT 1"); }).kind() == sql::failure::connection_lost);
    const std::int64_t after = backend_pid(*conn);
    CHECK(after != before);
    CHECK(run(*conn, "SELECT ?::bigint", {7}).rows.at(0).at(0).as_int64() == 7);
}

TEST_CASE("a connection lost inside a transaction is not retried until the transaction ends", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    auto conn = connect(db.url());
    conn->run_script("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    {
        sql::transaction tx(*conn);
        run(*conn, "INSERT INTO t VALUES (1)");
        terminate_backend(db, backend_pid(*conn));
        CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (2)"); }).kind() == sql::failure::connection_lost);
        // Still inside the transaction the server rolled back: not run on a new connection on its own.
        CHECK(error_of([&] { run(*conn, "INSERT INTO t VALUES (3)"); }).kind() == sql::failure::connection_lost);
    }
    CHECK(run(*conn, "SELECT count(*) FROM t").rows.at(0).at(0).as_int64() == 0);
    sql::transaction again(*conn);
    run(*conn, "INSERT INTO t VALUES (4)");
    again.commit();
    CHECK(db.scalar("SELECT id FROM t") == "4");
}

TEST_CASE("the password never appears in an error message", "[postgres][pg-state]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database db(*admin, "pgconn");
    // The test server trusts every local connection, so the password is carried but never checked.
    for (const std::string password : {"Sekr3t-pa55word-xyz", "Zq7x"}) {
        INFO("password " << password);
        // A database named like the password: the server's refusal quotes the name.
        auto refused = open_postgres(testing::pg_url_for(*admin, password, password));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().kind == error_kind::unavailable);
        CHECK(refused.error().message.find("cannot connect to PostgreSQL") != std::string::npos);
        CHECK(refused.error().message.find("does not exist") != std::string::npos);
        CHECK(refused.error().message.find(password) == std::string::npos);

        // A statement whose error quotes a value equal to the password.
        auto conn = connect(db.url(password));
        const auto quoted = error_of([&] { run(*conn, "SELECT '" + password + "'::bigint"); });
        CHECK(std::string(quoted.what()).find("invalid input syntax") != std::string::npos);
        CHECK(std::string(quoted.what()).find(password) == std::string::npos);
    }
    // A URL libpq cannot parse: its reason may quote the password, so it is not shown.
    auto invalid = open_postgres("postgresql://postgres:Sekr3t%zzpassword@/nowhere");
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().message.find("Sekr3t") == std::string::npos);
    CHECK(invalid.error().message.find("not a valid") != std::string::npos);
}
