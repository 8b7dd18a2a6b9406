// The PostgreSQL schema (storage/schema_postgres.cpp) follows the SQLite one: same version, every table and
// trigger present, errors classified as the stores expect. Its behaviour against a real server is
// tests/integration/postgres_schema_test.cpp.
#include <catch2/catch.hpp>

#include "storage/database.hpp"
#include "storage/postgres_connection.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/schema_migrations.hpp"

#include <regex>
#include <set>
#include <string>

using namespace opsbot::storage;

namespace {

/// The names after `keyword` (e.g. "CREATE TRIGGER") in `sql`.
std::set<std::string> names_after(const std::string& keyword, std::string_view sql) {
    std::set<std::string> out;
    const std::regex pattern(keyword + R"(\s+(?:IF NOT EXISTS\s+)?(\w+))");
    const std::string text(sql);
    for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
        out.insert((*it)[1].str());
    }
    return out;
}

std::set<std::string> sqlite_names(const std::string& keyword) {
    std::set<std::string> out;
    for (const migration& m : schema_migrations()) {
        out.merge(names_after(keyword, m.sql));
    }
    out.erase("actions_before_v8");  // migration 8's scratch copy, dropped in the same migration
    return out;
}

std::set<std::string> postgres_names(const std::string& keyword) {
    std::set<std::string> out;
    for (const migration& m : postgres_schema_migrations()) {
        out.merge(names_after(keyword, m.sql));
    }
    return out;
}

}  // namespace

TEST_CASE("the PostgreSQL schema ends at the same version as the SQLite one") {
    const auto& migrations = postgres_schema_migrations();
    REQUIRE_FALSE(migrations.empty());
    CHECK(migrations.back().version == database::latest_schema_version());
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        CHECK(migrations[i].version == migrations[i - 1].version + 1);
    }
    for (const migration& m : migrations) {
        CHECK_FALSE(m.description.empty());
        CHECK_FALSE(m.sql.empty());
    }
}

TEST_CASE("every SQLite table, index and trigger has its PostgreSQL twin of the same name") {
    for (const std::string keyword : {"CREATE TABLE", "CREATE INDEX", "CREATE TRIGGER"}) {
        const auto sqlite = sqlite_names(keyword);
        const auto postgres = postgres_names(keyword);
        REQUIRE_FALSE(sqlite.empty());
        for (const std::string& name : sqlite) {
            INFO(keyword << " " << name);
            CHECK(postgres.contains(name));
        }
    }
}

TEST_CASE("PostgreSQL errors reach the stores as the failure kinds of the SQL layer") {
    CHECK(postgres_failure("23505", false) == sql::failure::constraint);  // unique_violation
    CHECK(postgres_failure("23503", false) == sql::failure::constraint);  // foreign_key_violation
    CHECK(postgres_failure("23514", false) == sql::failure::constraint);  // check_violation
    CHECK(postgres_failure("23502", false) == sql::failure::constraint);  // not_null_violation
    CHECK(postgres_failure("P0001", false) == sql::failure::refused_by_trigger);
    CHECK(postgres_failure("08006", false) == sql::failure::connection_lost);  // connection_failure
    CHECK(postgres_failure("57P01", false) == sql::failure::connection_lost);  // admin_shutdown
    CHECK(postgres_failure("", true) == sql::failure::connection_lost);
    CHECK(postgres_failure("23505", true) == sql::failure::connection_lost);
    CHECK(postgres_failure("42601", false) == sql::failure::other);  // syntax_error
    CHECK(postgres_failure("42501", false) == sql::failure::other);  // insufficient_privilege
    CHECK(postgres_failure("40001", false) == sql::failure::other);  // serialization_failure
    CHECK(postgres_failure("", false) == sql::failure::other);
}
