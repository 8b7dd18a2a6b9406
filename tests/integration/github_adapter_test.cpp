// The GitHub CI adapter against the loopback fake over real sockets (docs/platforms.md §5.3).
#include "adapters/github.hpp"
#include "core/clock.hpp"
#include "tests/support/fake_github.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_check_run;
using opsbot::testing::fake_commit_status;
using opsbot::testing::fake_github;

namespace {

constexpr const char* head_sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

std::unique_ptr<http_client> test_client(std::chrono::milliseconds request_timeout = std::chrono::seconds(10)) {
    http_options options;
    options.max_attempts = 1;
    options.request_timeout = request_timeout;
    options.sleep = [](std::chrono::milliseconds) {};
    return make_http_client(options);
}

github_config config_for(const fake_github& fake, std::string repo = "acme/app") {
    github_config c;
    c.api_url = fake.api_url();
    c.token_env = "GITHUB_TOKEN";
    c.repo = std::move(repo);
    return c;
}

struct fixture {
    fake_github fake;
    std::unique_ptr<http_client> http = test_client();
    std::unique_ptr<github_ci> ci = make_github_ci(config_for(fake), fake.token(), *http);
};

}  // namespace

TEST_CASE("GitHub: all check runs passed and the combined status succeeded -> green", "[github]") {
    fixture f;
    f.fake.set_check_runs({{"lint", "completed", "success", "https://github.com/acme/app/runs/1"},
                           {"test", "completed", "neutral", ""},
                           {"deploy-preview", "completed", "skipped", ""}});
    f.fake.set_statuses({{"continuous-integration/jenkins", "success", "https://ci.example.com/1000/output", ""}});

    auto status = f.ci->branch_status("main");
    REQUIRE(status);
    CHECK(status->verdict == ci_verdict::green);
    CHECK(status->sha == head_sha);
    CHECK(status->branch == "main");
    REQUIRE(status->checks.size() == 4);
    CHECK(status->checks[0].name == "lint");
    CHECK(status->checks[0].status == "completed");
    CHECK(status->checks[0].conclusion == "success");
    CHECK(status->checks[0].url == "https://github.com/acme/app/runs/1");
    CHECK(status->checks[3].kind == ci_check::source::commit_status);
    CHECK(status->checks[3].name == "continuous-integration/jenkins");
    CHECK(status->checks[3].url == "https://ci.example.com/1000/output");
    CHECK(contains(status->summary, "4 checks passed"));

    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].path == "/repos/acme/app/commits/main/check-runs");
    CHECK(requests[0].query.at("filter") == "latest");
    CHECK(requests[0].query.at("per_page") == "100");
    // The combined status is read for the very commit the check runs belong to.
    CHECK(requests[1].path == std::string("/repos/acme/app/commits/") + head_sha + "/status");
    for (const auto& r : requests) {
        CHECK(r.header("Authorization") == "Bearer " + f.fake.token());
        CHECK(r.header("Accept") == "application/vnd.github+json");
        CHECK(r.header("X-GitHub-Api-Version") == "2022-11-28");
        CHECK_FALSE(r.header("User-Agent").value_or("").empty());
    }
}

TEST_CASE("GitHub: each kind of red and pending", "[github]") {
    fixture f;
    SECTION("a failed check run is red and named") {
        f.fake.set_check_runs({{"lint", "completed", "success", ""}, {"test", "completed", "failure", ""}});
        f.fake.set_statuses({{"ci/jenkins", "success", "", ""}});
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::red);
        CHECK(contains(status->summary, "`test` (failure)"));
        CHECK_FALSE(contains(status->summary, "lint"));
    }
    SECTION("timed_out, cancelled and action_required are red too") {
        for (const char* conclusion : {"timed_out", "cancelled", "action_required"}) {
            f.fake.set_check_runs({{"build", "completed", conclusion, ""}});
            auto status = f.ci->branch_status("main");
            REQUIRE(status);
            CHECK(status->verdict == ci_verdict::red);
            CHECK(contains(status->summary, std::string("`build` (") + conclusion + ")"));
        }
    }
    SECTION("a failed commit status is red even when every check run passed") {
        f.fake.set_check_runs({{"test", "completed", "success", ""}});
        f.fake.set_statuses({{"ci/jenkins", "failure", "", ""}, {"ci/other", "success", "", ""}});
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::red);
        CHECK(contains(status->summary, "`ci/jenkins` (failure)"));
    }
    SECTION("a check run still in progress is pending and named") {
        f.fake.set_check_runs({{"test", "completed", "success", ""}, {"build", "in_progress", std::nullopt, ""}});
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::pending);
        CHECK(contains(status->summary, "`build`"));
        CHECK(status->checks[1].conclusion.empty());
    }
    SECTION("a pending commit status is pending") {
        f.fake.set_check_runs({{"test", "completed", "success", ""}});
        f.fake.set_statuses({{"ci/jenkins", "pending", "", ""}});
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::pending);
        CHECK(contains(status->summary, "ci/jenkins"));
    }
    SECTION("red wins over pending") {
        f.fake.set_check_runs({{"a", "queued", std::nullopt, ""}, {"b", "completed", "failure", ""}});
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::red);
    }
    SECTION("no check runs and no statuses: pending, no CI results") {
        auto status = f.ci->branch_status("main");
        REQUIRE(status);
        CHECK(status->verdict == ci_verdict::pending);
        CHECK(status->summary == "no CI results for 6dcb09b");
        CHECK(status->sha == head_sha);
        // Without check runs the status is asked for by branch name.
        CHECK(f.fake.requests().back().path == "/repos/acme/app/commits/main/status");
    }
}

TEST_CASE("GitHub: an Actions-only repository (combined pending, total_count 0) with green checks is green",
          "[github]") {
    fixture f;
    f.fake.set_check_runs({{"lint", "completed", "success", ""}, {"test", "completed", "success", ""}});
    f.fake.set_statuses({});
    auto status = f.ci->branch_status("main");
    REQUIRE(status);
    CHECK(status->verdict == ci_verdict::green);
    CHECK(status->checks.size() == 2);
}

TEST_CASE("GitHub: check runs over three pages follow Link rel=next", "[github]") {
    fixture f;
    f.fake.set_page_size(2);
    f.fake.set_check_runs({{"c1", "completed", "success", ""},
                           {"c2", "completed", "success", ""},
                           {"c3", "completed", "success", ""},
                           {"c4", "completed", "success", ""},
                           {"c5", "completed", "failure", ""}});
    auto status = f.ci->branch_status("main");
    REQUIRE(status);
    CHECK(status->verdict == ci_verdict::red);  // the failure is only on page 3
    CHECK(contains(status->summary, "`c5`"));
    REQUIRE(status->checks.size() == 5);
    CHECK(status->checks[4].name == "c5");
    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 4);
    CHECK(requests[0].query.count("page") == 0);
    CHECK(requests[1].query.at("page") == "2");
    CHECK(requests[2].query.at("page") == "3");
    CHECK(requests[2].query.at("filter") == "latest");
    CHECK(requests[3].path.ends_with("/status"));
}

TEST_CASE("GitHub: errors", "[github]") {
    fixture f;
    SECTION("a refused token is an auth error that names the setting, not the token") {
        auto http = test_client();
        auto ci = make_github_ci(config_for(f.fake), "ghp_wrong_token_value", *http);
        auto status = ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::auth);
        CHECK(status.error().http_status == 401);
        CHECK(status.error().message == "GitHub refused the token (401): check monitoring.github.token_env");
    }
    SECTION("primary rate limit: 403 with X-RateLimit-Remaining 0 gives retry_after from X-RateLimit-Reset") {
        manual_clock clk;
        auto http = test_client();
        auto ci = make_github_ci(config_for(f.fake), f.fake.token(), *http, &clk);
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(clk.now().time_since_epoch()).count();
        f.fake.rate_limit_next(now_s + 120);
        auto status = ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::rate_limited);
        REQUIRE(status.error().retry_after);
        CHECK(*status.error().retry_after == std::chrono::seconds(120));
        // The limit is gone: the next call works.
        CHECK(ci->branch_status("main"));
    }
    SECTION("an unknown repository is not_found naming it") {
        auto ci = make_github_ci(config_for(f.fake, "acme/other"), f.fake.token(), *f.http);
        auto status = ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::not_found);
        CHECK(contains(status.error().message, "acme/other"));
    }
    SECTION("an unknown branch is not_found naming it") {
        auto status = f.ci->branch_status("nope");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::not_found);
        CHECK(contains(status.error().message, "`nope`"));
    }
    SECTION("malformed JSON is bad_response naming the service and endpoint") {
        f.fake.knobs().malformed_next();
        auto status = f.ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::bad_response);
        CHECK(contains(status.error().message, "GitHub"));
        CHECK(contains(status.error().message, "check-runs"));
    }
    SECTION("an array where an object is expected is bad_response") {
        f.fake.knobs().fail_next(200, "[]");
        auto status = f.ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::bad_response);
    }
    SECTION("a server error is http_status with GitHub's message") {
        f.fake.knobs().fail_next(500, R"({"message":"Server Error"})");
        auto status = f.ci->branch_status("main");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind != error_kind::bad_response);
        CHECK(contains(status.error().message, "GitHub"));
    }
    SECTION("an invalid branch name is refused before any request") {
        auto status = f.ci->branch_status("main..x");
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == error_kind::invalid_input);
        CHECK(f.fake.requests().empty());
    }
}

TEST_CASE("GitHub: a server that does not answer gives a timeout error", "[github]") {
    fake_github fake;
    auto http = test_client(std::chrono::milliseconds(300));
    auto ci = make_github_ci(config_for(fake), fake.token(), *http);
    fake.knobs().block();
    auto status = ci->branch_status("main");
    fake.knobs().release();
    REQUIRE_FALSE(status);
    CHECK(status.error().kind == error_kind::timeout);
    CHECK(contains(status.error().message, "GitHub"));
}
