// The operators' gauges (storage/ops_gauges): locks not expired, the audit head, watches watching.
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "storage/ops_gauges.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

TEST_CASE("an empty database reads as zeros") {
    testing::stores s;
    auto g = read_ops_gauges(s.db, s.clock.now());
    REQUIRE(g);
    CHECK(g->locks_held == 0);
    CHECK(g->audit_head_sequence == 0);
    CHECK(g->watches_running == 0);
}

TEST_CASE("locks count until they expire, and the audit head follows the newest entry") {
    testing::stores s;
    REQUIRE(s.locks.claim("web", "production", "A-1", "rollback", s.clock.now() + 10min));
    REQUIRE(s.locks.claim("api", "production", "A-2", "rollback", s.clock.now() + 30min));
    auto g = read_ops_gauges(s.db, s.clock.now());
    REQUIRE(g);
    CHECK(g->locks_held == 2);
    auto head = s.audit.head();
    REQUIRE(head);
    REQUIRE(*head);
    CHECK(g->audit_head_sequence == (*head)->seq);
    CHECK(g->audit_head_sequence >= 2);  // each claim is audited

    auto later = read_ops_gauges(s.db, s.clock.now() + 20min);
    REQUIRE(later);
    CHECK(later->locks_held == 1);
}
