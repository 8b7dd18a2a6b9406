// PostgreSQL restarted under the bot (issue 14 item 4): on a server of the test's own (tests/support/private_postgres:
// the shared test server cannot be stopped under other tests), two replicas keep acking while the database is gone,
// say so where an answer needs it, reconnect when it is back, and nothing stored before is lost.
#include "tests/support/private_postgres.hpp"
#include "tests/support/replica_cluster.hpp"

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;

}  // namespace

TEST_CASE("PostgreSQL restarted under two replicas: acks keep flowing, answers that need it say so, they reconnect "
          "and no state is lost",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    private_postgres server;
    server.create_database("opsbot_state");
    cluster_options o;
    o.database_url = server.url("opsbot_state");
    o.lease = std::chrono::seconds{30};  // the default: the outage below must not look like a replica's death
    cluster c(*admin, o);
    const auto r1 = c.start();
    const auto r2 = c.start();

    auto approve = c.plan(requester, "/rollback", "api", "A-1", r1);
    REQUIRE_FALSE(c.click(approver_a, approve, r2).empty());
    REQUIRE(eventually([&] { return c.state_of("A-1") == "succeeded"; }, 60s));

    server.stop();
    // Without the database: every envelope is still acked, a quick answer still comes, and one that needs the
    // database says it could not read it.
    for (auto replica : {r1, r2}) {
        CHECK(contains(c.answer(requester, "/deploy", "help", replica), "/deploy"));
        const std::string audit = c.answer(requester, "/audit", "", replica);
        CHECK(contains(audit, "database"));
        CHECK_FALSE(contains(audit, "A-1"));
    }

    server.start();
    // Back: both reconnect on their next use and read what was stored before the restart.
    for (auto replica : {r1, r2}) {
        std::string audit;
        REQUIRE(eventually(
            [&] {
                audit = c.answer(requester, "/audit", "", replica);
                return contains(audit, "A-1");
            },
            30s));
        CHECK(contains(audit, "chain intact"));
    }
    CHECK(c.state_of("A-1") == "succeeded");
    // New work goes on where the ids left off.
    auto second = c.plan(requester, "/rollback", "api", "A-2", r2);
    REQUIRE_FALSE(c.click(approver_b, second, r1).empty());
    REQUIRE(eventually([&] { return c.state_of("A-2") == "succeeded"; }, 60s));
    CHECK(c.railway.count_operation("deploymentRollback") == 2);
    CHECK(c.audit_ok());
    CHECK(c.no_secret_logged());
}
