// What may be shown of a failed migration's `_prisma_migrations.logs` (issue 12 item 11): the error line(s), never
// the DETAIL / DbError parts that quote row data.
#include "adapters/prisma_migrations.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::adapters;

namespace {

// The shape Prisma writes (migrate deploy, P3018), with a unique violation quoting a customer's address.
constexpr const char* prisma_logs =
    "Migration name: 20261102000000_unique_email\n\n"
    "Database error code: 23505\n\n"
    "Database error:\n"
    "ERROR: could not create unique index \"User_email_key\"\n"
    "DETAIL: Key (email)=(alice.customer@example.com) is duplicated.\n\n"
    "DbError { severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E23505), message: \"could not "
    "create unique index \\\"User_email_key\\\"\", detail: Some(\"Key (email)=(alice.customer@example.com) is "
    "duplicated.\"), hint: None }\n";

}  // namespace

TEST_CASE("migration_error_summary keeps the code and the ERROR line of Prisma's logs, never the row data",
          "[prisma]") {
    const std::string summary = migration_error_summary(prisma_logs);
    CHECK(summary == "Database error code: 23505; ERROR: could not create unique index \"User_email_key\"");
    CHECK(summary.find("alice.customer") == std::string::npos);
}

TEST_CASE("migration_error_summary: libpq's own message, a first line, nothing", "[prisma]") {
    CHECK(migration_error_summary("ERROR:  relation \"Account\" does not exist\nLINE 3: ...\n") ==
          "ERROR: relation \"Account\" does not exist");
    CHECK(migration_error_summary("DETAIL: Key (id)=(7) is duplicated.\nsomething went wrong\n") ==
          "something went wrong");
    CHECK(migration_error_summary("").empty());
    CHECK(migration_error_summary(std::string(1000, 'x')).size() < 300);
}

TEST_CASE("without_row_data drops the DETAIL, CONTEXT and DbError lines of a deploy command's output", "[prisma]") {
    const std::string shown = without_row_data(std::string("Error: P3018\n") + prisma_logs +
                                               "CONTEXT: COPY users, line 1: \"alice.customer@example.com\"\n");
    CHECK(shown.find("alice.customer") == std::string::npos);
    CHECK(shown.find("Error: P3018") != std::string::npos);
    CHECK(shown.find("ERROR: could not create unique index") != std::string::npos);
}
