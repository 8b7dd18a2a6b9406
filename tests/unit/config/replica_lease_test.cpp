// `replica_lease`: a replica's lease among the replicas sharing one database (issue 14 item 2); optional, whole
// seconds, 30 by default, 3 to 600.
#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opsbot;

namespace {

std::optional<std::string> everything_set(const std::string& name) { return "value-of-" + name; }

config_load_result with_top(const std::string& extra) {
    return parse_config(R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": "opsbot.db")" + extra + R"(
})",
                        &everything_set);
}

bool has_problem_at(const config_load_result& r, const std::string& path) {
    for (const auto& p : r.problems) {
        if (p.path == path) {
            return true;
        }
    }
    return false;
}

}  // namespace

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
        CHECK(has_problem_at(r, "replica_lease"));
        REQUIRE(r.config);
        CHECK(r.config->replica_lease == std::chrono::seconds{30});
    }
    auto edge = with_top(R"(, "replica_lease": 600)");
    REQUIRE(edge.config);
    CHECK(edge.config->replica_lease == std::chrono::seconds{600});
}
