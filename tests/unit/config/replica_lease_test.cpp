// `replica_lease`: a replica's lease among the replicas sharing one database (issue 14 item 2); optional, whole
// seconds, 30 by default, 3 to 600.
#include "config/config.hpp"
#include "tests/unit/config/top_level.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opsbot;

using opsbot::testing::problems_at;
using opsbot::testing::with_top;

TEST_CASE("replica_lease is 30 seconds unless the config says otherwise", "[config]") {
    auto r = with_top("");
    REQUIRE(r.config);
    CHECK(r.config->replica_lease == std::chrono::seconds{30});
    auto set = with_top(R"(, "replica_lease": 12)");
    REQUIRE(set.config);
    CHECK(set.problems.empty());
    CHECK(set.config->replica_lease == std::chrono::seconds{12});
}

TEST_CASE("replica_lease outside 3 to 600 seconds, or not a whole number, is a problem and left at 30", "[config]") {
    for (const std::string bad : {"2", "601", "\"30s\"", "-1", "1.5"}) {
        INFO(bad);
        auto r = with_top(R"(, "replica_lease": )" + bad);
        CHECK_FALSE(problems_at(r, "replica_lease").empty());
        REQUIRE(r.config);
        CHECK(r.config->replica_lease == std::chrono::seconds{30});
    }
    auto edge = with_top(R"(, "replica_lease": 600)");
    REQUIRE(edge.config);
    CHECK(edge.config->replica_lease == std::chrono::seconds{600});
}
