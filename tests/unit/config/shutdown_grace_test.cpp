// `shutdown_grace`: how long `opsbot run` lets running steps finish after SIGTERM (issue 15 item 4); optional, whole
// seconds, 30 by default.
#include "config/config.hpp"
#include "tests/unit/config/top_level.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opsbot;

using opsbot::testing::problems_at;
using opsbot::testing::with_top;

TEST_CASE("shutdown_grace is 30 seconds unless the config says otherwise", "[config]") {
    auto r = with_top("");
    REQUIRE(r.config);
    CHECK(r.problems.empty());
    CHECK(r.config->shutdown_grace == std::chrono::seconds{30});
}

TEST_CASE("shutdown_grace takes whole seconds, 0 included", "[config]") {
    auto r = with_top(R"(, "shutdown_grace": 5)");
    REQUIRE(r.config);
    CHECK(r.problems.empty());
    CHECK(r.config->shutdown_grace == std::chrono::seconds{5});

    auto zero = with_top(R"(, "shutdown_grace": 0)");
    REQUIRE(zero.config);
    CHECK(zero.problems.empty());
    CHECK(zero.config->shutdown_grace == std::chrono::seconds{0});
}

TEST_CASE("shutdown_grace refuses a negative number, a text, a fraction and more than an hour", "[config]") {
    CHECK_THAT(problems_at(with_top(R"(, "shutdown_grace": -1)"), "shutdown_grace"),
               Catch::Contains("must be at least 0"));
    CHECK_THAT(problems_at(with_top(R"(, "shutdown_grace": "30s")"), "shutdown_grace"),
               Catch::Contains("must be a whole number"));
    CHECK_THAT(problems_at(with_top(R"(, "shutdown_grace": 2.5)"), "shutdown_grace"),
               Catch::Contains("must be a whole number"));
    auto long_one = with_top(R"(, "shutdown_grace": 3601)");
    CHECK_THAT(problems_at(long_one, "shutdown_grace"), Catch::Contains("at most 3600 seconds"));
    REQUIRE(long_one.config);
    CHECK(long_one.config->shutdown_grace == std::chrono::seconds{30});  // left at its default
}
