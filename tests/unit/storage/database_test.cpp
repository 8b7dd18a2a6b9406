// The tests that build or inspect a file behind the bot's back open it with SQLiteCpp directly.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "fixture.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/sqlite_connection.hpp"

using namespace opsbot;
using namespace opsbot::storage;

TEST_CASE("a new database gets every migration, WAL, foreign keys and a busy timeout") {
    testing::temp_db_path path;
    database db(path.str());
    CHECK(db.schema_version() == database::latest_schema_version());
    CHECK(database::latest_schema_version() == static_cast<int>(schema_migrations().size()));
    auto session = db.acquire();
    CHECK(testing::scalar(session, "PRAGMA journal_mode").as_string() == "wal");
    CHECK(testing::scalar(session, "PRAGMA foreign_keys").as_int() == 1);
    CHECK(testing::scalar(session, "PRAGMA busy_timeout").as_int() == 5000);
    CHECK(testing::scalar(session, "PRAGMA synchronous").as_int() == 1);  // NORMAL
    CHECK(testing::scalar(session, "SELECT COUNT(*) FROM schema_version").as_int() ==
          database::latest_schema_version());
}

TEST_CASE("migration numbers start at 1 and increase by one") {
    int expected = 1;
    for (const auto& m : schema_migrations()) {
        CHECK(m.version == expected);
        CHECK_FALSE(m.description.empty());
        ++expected;
    }
}

TEST_CASE("re-opening applies nothing twice and keeps the data") {
    testing::temp_db_path path;
    action_id id;
    {
        testing::stores s(path.str());
        id = s.request();
    }
    for (int i = 0; i < 3; ++i) {
        testing::stores s(path.str());
        CHECK(s.db.schema_version() == database::latest_schema_version());
        auto session = s.db.acquire();
        CHECK(testing::scalar(session, "SELECT COUNT(*) FROM schema_version").as_int() ==
              database::latest_schema_version());
        CHECK(testing::scalar(session, "SELECT COUNT(*) FROM actions").as_int() == 1);
    }
    testing::stores s(path.str());
    CHECK(s.actions.get(id)->subject == "rollback web production");
}

TEST_CASE("a database from a newer opsbot is refused with a clear message") {
    testing::temp_db_path path;
    int newer = database::latest_schema_version() + 2;
    {
        database db(path.str());
        auto session = db.acquire();
        session.sql().run_script("INSERT INTO schema_version (version, description) VALUES (" + std::to_string(newer) +
                           ", 'from the future')");
    }
    std::string expected = std::filesystem::path(path.str()).filename().string() + " has schema version " +
                           std::to_string(newer) + " but this opsbot knows up to " +
                           std::to_string(database::latest_schema_version()) + ": upgrade opsbot";
    CHECK_THROWS_MATCHES(database(path.str()), database_error, Catch::Message(expected));
    CHECK_THROWS_MATCHES(database(path.str(), open_mode::read_only), database_error, Catch::Message(expected));
}

TEST_CASE("read-only mode never creates a file and refuses a non-opsbot database") {
    testing::temp_db_path path;
    CHECK_THROWS_AS(database(path.str(), open_mode::read_only), database_error);
    CHECK_FALSE(std::filesystem::exists(path.str()));
    {
        SQLite::Database plain(path.str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        plain.exec("CREATE TABLE other (x INTEGER)");
    }
    CHECK_THROWS_WITH(database(path.str(), open_mode::read_only), Catch::Contains("not an opsbot database"));
}

TEST_CASE("a read-only database cannot be written") {
    testing::temp_db_path path;
    {
        testing::stores s(path.str());
        s.request();
    }
    database ro(path.str(), open_mode::read_only);
    manual_clock clock;
    audit_log log(ro, clock);
    auto appended = log.append({"U01", std::nullopt, "test.event", {}});
    REQUIRE_FALSE(appended);
    CHECK(appended.error().kind == error_kind::internal);
    CHECK(log.verify()->entries == 1);
}

TEST_CASE("a migration that fails leaves the database at the previous version") {
    // A table that migration 1 wants to create already exists: the migration fails and rolls back whole.
    testing::temp_db_path path;
    {
        SQLite::Database plain(path.str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        plain.exec("CREATE TABLE actions (x INTEGER)");
    }
    CHECK_THROWS_WITH(database(path.str()), Catch::Contains("migration 1"));
    SQLite::Database plain(path.str(), SQLite::OPEN_READONLY);
    CHECK(plain.execAndGet("SELECT COUNT(*) FROM schema_version").getInt() == 0);
    CHECK(plain.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'actions_state_transition'").getInt() ==
          0);
}

TEST_CASE("a database opened from a connection applies its engine's migrations, or only checks them read-only") {
    testing::temp_db_path path;
    {
        database db(std::make_unique<sqlite_connection>(path.str(), false), "state");
        CHECK(db.backend() == sql::backend::sqlite);
        CHECK(db.path() == "state");
        CHECK(db.schema_version() == database::latest_schema_version());
        manual_clock clock;
        CHECK(audit_log(db, clock).append({"U01", std::nullopt, "test.event", {}}));
    }
    database ro(std::make_unique<sqlite_connection>(path.str(), true), "state", open_mode::read_only);
    CHECK(ro.schema_version() == database::latest_schema_version());
    manual_clock clock;
    CHECK(audit_log(ro, clock).verify()->entries == 1);

    testing::temp_db_path other;
    {
        SQLite::Database plain(other.str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        plain.exec("CREATE TABLE other (x INTEGER)");
    }
    CHECK_THROWS_WITH(database(std::make_unique<sqlite_connection>(other.str(), true), "plain", open_mode::read_only),
                      Catch::StartsWith("plain is not an opsbot database"));
}
