// libpq sessions the bot opens (issue 12 item 11): a server-side statement_timeout, TCP keepalives and a connect
// timeout on every connection, against the real PostgreSQL of `make test` (skips when OPSBOT_TEST_PG_URL is unset).
#include "adapters/pg_session.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <libpq-fe.h>

#include <map>

using namespace opsbot;
using namespace opsbot::adapters;
using namespace std::chrono_literals;

namespace {

std::string first_value(pg_session& session, const char* sql) {
    auto res = session.exec(sql, "test query");
    INFO((res ? std::string("ok") : res.error().message));
    REQUIRE(res);
    REQUIRE(session.api().ntuples(res->get()) == 1);
    return session.api().getvalue(res->get(), 0, 0);
}

/// The connection options libpq actually used (PQconninfo), keyword -> value.
std::map<std::string, std::string> options_in_use(pg_session& session) {
    std::map<std::string, std::string> out;
    PQconninfoOption* options = PQconninfo(session.native());
    for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
        out[o->keyword] = o->val != nullptr ? o->val : "";
    }
    PQconninfoFree(options);
    return out;
}

}  // namespace

TEST_CASE("a libpq session has statement_timeout, keepalives and connect_timeout", "[postgres][pg-session]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    auto session = pg_session::open(*admin);
    REQUIRE(session);
    CHECK(first_value(*session, "SHOW statement_timeout") == "30s");
    auto used = options_in_use(*session);
    CHECK(used["keepalives"] == "1");
    CHECK(used["keepalives_idle"] == "30");
    CHECK(used["keepalives_interval"] == "10");
    CHECK(used["keepalives_count"] == "3");
    CHECK(used["connect_timeout"] == "10");
    // libpq marks its socket close-on-exec itself (checked here rather than assumed): no child inherits it.
    const int socket = PQsocket(session->native());
    REQUIRE(socket >= 0);
    CHECK((::fcntl(socket, F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("a statement longer than statement_timeout is cancelled by the server with a clear error",
          "[postgres][pg-session]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    pg_limits limits;
    limits.statement_timeout = 300ms;
    auto session = pg_session::open(*admin, limits);
    REQUIRE(session);
    CHECK(first_value(*session, "SHOW statement_timeout") == "300ms");
    const auto start = std::chrono::steady_clock::now();
    auto slept = session->exec("SELECT pg_sleep(20)", "reading _prisma_migrations");
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(slept);
    CHECK(slept.error().kind == error_kind::timeout);
    CHECK(slept.error().message ==
          "reading _prisma_migrations: the database cancelled the statement after 300 ms (statement_timeout)");
    CHECK(took < 15s);  // cancelled, not waited out
    // The session is still usable after a cancelled statement.
    CHECK(first_value(*session, "SELECT 1") == "1");
}

TEST_CASE("options the URL carries are kept, and the limits are added to them", "[postgres][pg-session]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    const std::string url =
        *admin + (admin->find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3Dopsbot_test";
    auto session = pg_session::open(url);
    REQUIRE(session);
    CHECK(first_value(*session, "SHOW search_path") == "opsbot_test");
    CHECK(first_value(*session, "SHOW statement_timeout") == "30s");
}
