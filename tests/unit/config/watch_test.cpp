// monitoring.watch_minutes and monitoring.watch_new_issues_threshold (issue #7: the post-deploy watch).
#include "config/config.hpp"
#include "tests/unit/config/top_level.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opsbot;

namespace {

config_load_result with_monitoring(const std::string& monitoring) {
    return testing::with_top(R"(,
  "monitoring": { )" + monitoring + R"( })");
}

bool has_problem(const config_load_result& r, const std::string& path, const std::string& words) {
    for (const auto& p : r.problems) {
        if (p.path == path && p.message.find(words) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("the watch defaults to 15 minutes and one new issue", "[config]") {
    auto r = with_monitoring("");
    REQUIRE(r.config);
    CHECK(r.problems.empty());
    CHECK(r.config->monitoring.watch_minutes == 15);
    CHECK(r.config->monitoring.watch_new_issues_threshold == 1);
}

TEST_CASE("watch settings are read and validated", "[config]") {
    auto ok = with_monitoring(R"("watch_minutes": 30, "watch_new_issues_threshold": 3)");
    REQUIRE(ok.config);
    CHECK(ok.problems.empty());
    CHECK(ok.config->monitoring.watch_minutes == 30);
    CHECK(ok.config->monitoring.watch_new_issues_threshold == 3);

    auto zero = with_monitoring(R"("watch_minutes": 0)");
    CHECK(has_problem(zero, "monitoring.watch_minutes", "at least 1"));
    auto long_watch = with_monitoring(R"("watch_minutes": 2000)");
    CHECK(has_problem(long_watch, "monitoring.watch_minutes", "at most 1440"));
    REQUIRE(long_watch.config);
    CHECK(long_watch.config->monitoring.watch_minutes == 15);
    auto text = with_monitoring(R"("watch_minutes": "15m")");
    CHECK(has_problem(text, "monitoring.watch_minutes", "whole number"));
    auto threshold = with_monitoring(R"("watch_new_issues_threshold": 0)");
    CHECK(has_problem(threshold, "monitoring.watch_new_issues_threshold", "at least 1"));
}
