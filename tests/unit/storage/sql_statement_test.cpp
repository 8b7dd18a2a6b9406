// storage/sql.hpp over the SQLite connection: what every store relies on, whichever engine is underneath.
#include <catch2/catch.hpp>

#include "storage/sql.hpp"
#include "storage/sqlite_connection.hpp"

using namespace opsbot::storage;

namespace {

/// An in-memory connection with one table of each kind of constraint the schema uses, and a refusing trigger.
std::unique_ptr<sqlite_connection> scratch() {
    auto conn = std::make_unique<sqlite_connection>(":memory:", false);
    conn->run_script(R"sql(
        CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, size INTEGER,
                            note TEXT);
        CREATE TABLE frozen (x INTEGER);
        CREATE TRIGGER frozen_no_delete BEFORE DELETE ON frozen
        BEGIN SELECT RAISE(ABORT, 'frozen rows are never deleted'); END;
        INSERT INTO frozen VALUES (1);
    )sql");
    return conn;
}

std::int64_t count_items(sql::connection& conn) {
    sql::statement query(conn, "SELECT COUNT(*) FROM items");
    REQUIRE(query.step());
    return query.column(0).as_int64();
}

sql::failure failure_of(sql::connection& conn, std::string_view text) {
    try {
        sql::statement(conn, text).exec();
    } catch (const sql::error& e) {
        return e.kind();
    }
    FAIL("the statement was not refused: " << text);
    return sql::failure::other;
}

}  // namespace

TEST_CASE("values hold NULL, integers and text and convert as the stores read them") {
    CHECK(sql::value().is_null());
    CHECK(sql::value(nullptr).is_null());
    CHECK(sql::value(std::int64_t{1} << 40).as_int64() == (std::int64_t{1} << 40));
    CHECK(sql::value(7).is_integer());
    CHECK_FALSE(sql::value("7").is_integer());
    CHECK(sql::value("-12").as_int64() == -12);  // PostgreSQL hands every column back as text
    CHECK(sql::value(42).as_string() == "42");
    CHECK(sql::value().as_string().empty());
    CHECK_THROWS_AS(sql::value().as_int64(), sql::error);
    CHECK_THROWS_AS(sql::value("12abc").as_int64(), sql::error);
}

TEST_CASE("bound NULL, integers and text read back as the same kinds") {
    auto conn = scratch();
    sql::statement insert(*conn, "INSERT INTO items (name, size, note) VALUES (?, ?, ?)");
    insert.bind(1, "alpha").bind(2, std::int64_t{5'000'000'000}).bind(3, nullptr);
    CHECK(insert.exec() == 1);

    sql::statement query(*conn, "SELECT name, size, note, typeof(size), typeof(name) FROM items WHERE name = ?");
    query.bind(1, std::string("alpha"));
    REQUIRE(query.step());
    CHECK(query.column(0).as_string() == "alpha");
    CHECK(query.column(1).is_integer());
    CHECK(query.column(1).as_int64() == 5'000'000'000);
    CHECK(query.column(2).is_null());
    // Stored as SQLite's own kinds, not text that happens to look like a number.
    CHECK(query.column(3).as_string() == "integer");
    CHECK(query.column(4).as_string() == "text");
    CHECK_FALSE(query.step());
}

TEST_CASE("text that looks like a number stays text") {
    auto conn = scratch();
    sql::statement insert(*conn, "INSERT INTO items (name, note) VALUES (?, ?)");
    insert.bind(1, "0042").bind(2, "17");
    insert.exec();
    sql::statement query(*conn, "SELECT name, typeof(?) FROM items");
    query.bind(1, "17");
    REQUIRE(query.step());
    CHECK(query.column(0).as_string() == "0042");
    CHECK(query.column(1).as_string() == "text");
}

TEST_CASE("exec counts the rows a statement changed, and a query changes none") {
    auto conn = scratch();
    for (const char* name : {"a", "b", "c"}) {
        sql::statement(*conn, "INSERT INTO items (name, size) VALUES (?, 1)").bind(1, name).exec();
    }
    CHECK(sql::statement(*conn, "UPDATE items SET size = 2 WHERE name <> ?").bind(1, "a").exec() == 2);
    CHECK(sql::statement(*conn, "UPDATE items SET size = 3 WHERE name = ?").bind(1, "nobody").exec() == 0);
    // A SELECT after the UPDATE: SQLite's own counter still says 2; the statement changed nothing.
    CHECK(sql::statement(*conn, "SELECT * FROM items").exec() == 0);
    CHECK(sql::statement(*conn, "INSERT INTO items (name) VALUES (?) ON CONFLICT DO NOTHING").bind(1, "a").exec() ==
          0);
    CHECK(sql::statement(*conn, "INSERT INTO items (name) VALUES (?) ON CONFLICT DO NOTHING").bind(1, "d").exec() ==
          1);
    CHECK(sql::statement(*conn, "DELETE FROM items WHERE size = 2").exec() == 2);
    CHECK(count_items(*conn) == 2);
}

TEST_CASE("INSERT … RETURNING gives the new row's key") {
    auto conn = scratch();
    sql::statement first(*conn, "INSERT INTO items (name) VALUES (?) RETURNING id");
    first.bind(1, "one");
    REQUIRE(first.step());
    const auto id = first.column(0).as_int64();
    CHECK_FALSE(first.step());
    sql::statement second(*conn, "INSERT INTO items (name) VALUES (?) RETURNING id, name");
    second.bind(1, "two");
    REQUIRE(second.step());
    CHECK(second.column(0).as_int64() == id + 1);
    CHECK(second.column(1).as_string() == "two");
    CHECK(count_items(*conn) == 2);
}

TEST_CASE("a transaction not committed is rolled back when it ends") {
    auto conn = scratch();
    {
        sql::transaction transaction(*conn);
        sql::statement(*conn, "INSERT INTO items (name) VALUES ('lost')").exec();
        CHECK(count_items(*conn) == 1);
    }
    CHECK(count_items(*conn) == 0);
    {
        sql::transaction transaction(*conn);
        sql::statement(*conn, "INSERT INTO items (name) VALUES ('kept')").exec();
        transaction.commit();
    }
    CHECK(count_items(*conn) == 1);
    {
        sql::transaction read(*conn, sql::transaction::mode::read);
        CHECK(count_items(*conn) == 1);
    }
    // Nothing is left open: a new write transaction can begin.
    sql::transaction again(*conn);
    again.commit();
}

TEST_CASE("a constraint and a trigger's refusal are told apart") {
    auto conn = scratch();
    sql::statement(*conn, "INSERT INTO items (name) VALUES ('taken')").exec();
    CHECK(failure_of(*conn, "INSERT INTO items (name) VALUES ('taken')") == sql::failure::constraint);
    CHECK(failure_of(*conn, "INSERT INTO items (name) VALUES (NULL)") == sql::failure::constraint);
    CHECK(failure_of(*conn, "DELETE FROM frozen") == sql::failure::refused_by_trigger);
    CHECK(failure_of(*conn, "SELECT * FROM no_such_table") == sql::failure::other);
    CHECK_THROWS_WITH(sql::statement(*conn, "DELETE FROM frozen").exec(),
                      Catch::Contains("frozen rows are never deleted"));
}

TEST_CASE("a column is refused without a current row or past the row's end") {
    auto conn = scratch();
    sql::statement(*conn, "INSERT INTO items (name) VALUES ('only')").exec();
    sql::statement query(*conn, "SELECT name FROM items");
    CHECK_THROWS_AS(query.column(0), sql::error);  // not run yet
    REQUIRE(query.step());
    CHECK(query.column(0).as_string() == "only");
    CHECK_THROWS_AS(query.column(1), sql::error);
    CHECK_THROWS_AS(query.column(-1), sql::error);
    CHECK_FALSE(query.step());
    CHECK_THROWS_AS(query.column(0), sql::error);  // past the last row
    sql::statement write(*conn, "UPDATE items SET size = 1");
    write.exec();
    CHECK_THROWS_AS(write.column(0), sql::error);
}

TEST_CASE("a REAL or BLOB column is refused, not guessed at") {
    auto conn = scratch();
    sql::statement real(*conn, "SELECT 1.5");
    CHECK_THROWS_WITH(real.step(), Catch::Contains("REAL"));
    sql::statement blob(*conn, "SELECT x'00ff'");
    CHECK_THROWS_WITH(blob.step(), Catch::Contains("BLOB"));
}

TEST_CASE("placeholders are numbered from 1") {
    auto conn = scratch();
    sql::statement query(*conn, "SELECT ?");
    CHECK_THROWS_AS(query.bind(0, 1), sql::error);
}
