// `?` placeholders numbered for PostgreSQL (storage/postgres_placeholders.hpp): only outside quoted text and
// comments, so a store's SQL means the same on both engines.
#include <catch2/catch.hpp>

#include "storage/postgres_placeholders.hpp"

using opsbot::storage::number_placeholders;

namespace {

std::string numbered(std::string_view text) {
    return number_placeholders(text).text;
}

}  // namespace

TEST_CASE("placeholders are numbered from $1 in order") {
    const auto out = number_placeholders("INSERT INTO t (a, b, c) VALUES (?, ?, ?) RETURNING id");
    CHECK(out.text == "INSERT INTO t (a, b, c) VALUES ($1, $2, $3) RETURNING id");
    CHECK(out.placeholders == 3);
    CHECK(number_placeholders("SELECT 1").placeholders == 0);
    CHECK(numbered("a=?AND b=?") == "a=$1AND b=$2");
}

TEST_CASE("a question mark inside a string literal or a quoted identifier stays") {
    CHECK(numbered("SELECT '?', ?") == "SELECT '?', $1");
    CHECK(numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1");
    CHECK(numbered("SELECT ? AS \"why?\"") == "SELECT $1 AS \"why?\"");
    CHECK(numbered("SELECT \"a\"\"?\" FROM t WHERE x = ?") == "SELECT \"a\"\"?\" FROM t WHERE x = $1");
    // A standard string: the backslash is text and the quote after it ends the string.
    CHECK(numbered("SELECT 'a\\', ?") == "SELECT 'a\\', $1");
    // An escape string: \' does not end it.
    CHECK(numbered("SELECT E'a\\'?', ?") == "SELECT E'a\\'?', $1");
    // Not an escape string: the E ends an identifier.
    CHECK(numbered("SELECT type='a\\', ?") == "SELECT type='a\\', $1");
}

TEST_CASE("a question mark inside a comment or a dollar-quoted string stays") {
    CHECK(numbered("SELECT ? -- why?\n, ?") == "SELECT $1 -- why?\n, $2");
    CHECK(numbered("SELECT ? -- why?") == "SELECT $1 -- why?");
    CHECK(numbered("SELECT /* a /* nested? */ still? */ ?") == "SELECT /* a /* nested? */ still? */ $1");
    CHECK(numbered("SELECT $$?$$, ?") == "SELECT $$?$$, $1");
    CHECK(numbered("SELECT $tag$ '?' $$ ? $tag$, ?") == "SELECT $tag$ '?' $$ ? $tag$, $1");
    // $1 is a positional parameter, not a dollar quote; a $ inside an identifier is neither.
    CHECK(numbered("SELECT $1, ?") == "SELECT $1, $1");
    CHECK(numbered("SELECT a$b$, ?") == "SELECT a$b$, $1");
}

TEST_CASE("unterminated quoted text keeps the rest as text") {
    CHECK(numbered("SELECT '?") == "SELECT '?");
    CHECK(numbered("SELECT \"?") == "SELECT \"?");
    CHECK(numbered("SELECT /* ?") == "SELECT /* ?");
    CHECK(numbered("SELECT $x$ ?") == "SELECT $x$ ?");
}
