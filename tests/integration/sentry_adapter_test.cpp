// The Sentry issues adapter against the loopback fake over real sockets (docs/platforms.md §5.1).
#include "adapters/sentry.hpp"
#include "core/clock.hpp"
#include "tests/support/fake_sentry.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_sentry;
using opsbot::testing::fake_sentry_issue;

namespace {

std::unique_ptr<http_client> test_client(std::chrono::milliseconds request_timeout = std::chrono::seconds(10)) {
    http_options options;
    options.max_attempts = 1;
    options.request_timeout = request_timeout;
    options.sleep = [](std::chrono::milliseconds) {};
    return make_http_client(options);
}

sentry_config config_for(const fake_sentry& fake, std::string project = "2") {
    sentry_config c;
    c.api_url = fake.api_url();
    c.token_env = "SENTRY_API_TOKEN";
    c.org = "acme";
    c.project = std::move(project);
    return c;
}

clock::time_point at(const std::string& iso) {
    auto t = parse_utc_iso8601(iso);
    REQUIRE(t);
    return *t;
}

fake_sentry_issue issue(std::string id, std::string first_seen, std::int64_t count = 1) {
    fake_sentry_issue i;
    i.id = id;
    i.short_id = "API-" + id;
    i.title = "TypeError: x is undefined (" + id + ")";
    i.culprit = "worker in run";
    i.count = count;
    i.first_seen = std::move(first_seen);
    return i;
}

// The deploy happened at 10:00; "now" is 10:15.
struct fixture {
    fake_sentry fake;
    manual_clock clk{at("2026-11-26T10:15:00Z")};
    std::unique_ptr<http_client> http = test_client();
    std::unique_ptr<sentry_issues> sentry = make_sentry_issues(config_for(fake), fake.token(), *http, &clk);
    clock::time_point deploy = at("2026-11-26T10:00:00Z");
};

}  // namespace

TEST_CASE("Sentry: ISO 8601 timestamps", "[sentry]") {
    CHECK(format_utc_iso8601(at("2026-11-26T10:05:00Z")) == "2026-11-26T10:05:00Z");
    CHECK(at("2026-11-26T10:05:00.250000Z") - at("2026-11-26T10:05:00Z") == std::chrono::milliseconds(250));
    CHECK(at("2026-11-26T12:05:00+02:00") == at("2026-11-26T10:05:00Z"));
    CHECK(at("2026-11-26T10:05:00Z") - at("2026-11-25T10:05:00Z") == std::chrono::hours(24));
    CHECK_FALSE(parse_utc_iso8601("2026-11-26 10:05:00"));
    CHECK_FALSE(parse_utc_iso8601("2026-02-30T10:05:00Z"));
    CHECK_FALSE(parse_utc_iso8601("2026-11-26T10:05:00"));
}

TEST_CASE("Sentry: new unresolved issues since the deploy, with count parsed from its string", "[sentry]") {
    fixture f;
    auto resolved = issue("3", "2026-11-26T10:07:00Z");
    resolved.status = "resolved";
    auto staging = issue("4", "2026-11-26T10:08:00Z");
    staging.environment = "staging";
    auto big = issue("1", "2026-11-26T10:05:00Z", 1234567890123);
    big.user_count = 42;
    big.last_seen = "2026-11-26T10:09:00Z";
    f.fake.set_issues({issue("0", "2026-11-26T09:00:00Z"), big, resolved, staging, issue("5", "2026-11-26T10:00:00Z")});

    auto list = f.sentry->new_issues_since(f.deploy, "production");
    REQUIRE(list);
    CHECK_FALSE(list->truncated);
    REQUIRE(list->issues.size() == 2);
    const auto& i = list->issues[0];
    CHECK(i.id == "1");
    CHECK(i.short_id == "API-1");
    CHECK(i.title == "TypeError: x is undefined (1)");
    CHECK(i.culprit == "worker in run");
    CHECK(i.permalink == "https://sentry.io/organizations/acme/issues/1/");
    CHECK(i.level == "error");
    CHECK(i.status == "unresolved");
    CHECK(i.count == 1234567890123);
    CHECK(i.user_count == 42);
    CHECK(i.first_seen == at("2026-11-26T10:05:00Z"));
    CHECK(i.last_seen == at("2026-11-26T10:09:00Z"));
    CHECK(list->issues[1].id == "5");  // first seen exactly at the deploy counts as new

    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 1);
    const auto& r = requests[0];
    CHECK(r.path == "/api/0/organizations/acme/issues/");
    CHECK(r.header("Authorization") == "Bearer " + f.fake.token());
    CHECK(r.query.at("project") == "2");
    CHECK(r.query.at("environment") == "production");
    CHECK(r.query.at("query") == "firstSeen:>=2026-11-26T10:00:00Z is:unresolved");
    CHECK(r.query.at("start") == "2026-11-26T10:00:00Z");
    CHECK(r.query.at("end") == "2026-11-26T10:15:00Z");
}

TEST_CASE("Sentry: the adapter filters by firstSeen even when the server ignores the search term", "[sentry]") {
    fixture f;
    f.fake.set_apply_first_seen(false);
    f.fake.set_issues({issue("0", "2026-11-26T09:59:59Z"), issue("1", "2026-11-26T10:01:00Z")});
    auto list = f.sentry->new_issues_since(f.deploy, "production");
    REQUIRE(list);
    REQUIRE(list->issues.size() == 1);
    CHECK(list->issues[0].id == "1");
}

TEST_CASE("Sentry: pages are followed while results=\"true\" and stop at results=\"false\"", "[sentry]") {
    fixture f;
    f.fake.set_page_size(2);
    std::vector<fake_sentry_issue> issues;
    for (int i = 0; i < 6; ++i) {
        issues.push_back(issue(std::to_string(i), "2026-11-26T10:0" + std::to_string(i) + ":30Z"));
    }
    f.fake.set_issues(issues);
    auto list = f.sentry->new_issues_since(f.deploy, "production");
    REQUIRE(list);
    CHECK_FALSE(list->truncated);
    REQUIRE(list->issues.size() == 6);
    CHECK(list->issues[5].id == "5");
    // Three pages; the third still carries a rel="next" link (results="false"), which is not followed.
    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].query.count("cursor") == 0);
    CHECK(requests[1].query.at("cursor") == "0:2:0");
    CHECK(requests[2].query.at("cursor") == "0:4:0");
    CHECK(requests[2].query.at("environment") == "production");
}

TEST_CASE("Sentry: an exactly full last page still stops on results=\"false\"", "[sentry]") {
    fixture f;
    f.fake.set_page_size(2);
    f.fake.set_issues({issue("1", "2026-11-26T10:01:00Z"), issue("2", "2026-11-26T10:02:00Z")});
    auto list = f.sentry->new_issues_since(f.deploy, "production");
    REQUIRE(list);
    CHECK(list->issues.size() == 2);
    CHECK(f.fake.requests().size() == 1);
    // The answer did carry a rel="next" link: only its results="false" stopped the adapter.
    http_request again;
    again.url = f.fake.api_url() + "organizations/acme/issues/?environment=production";
    again.headers = {{"Authorization", "Bearer " + f.fake.token()}};
    auto raw = f.http->send(again);
    REQUIRE(raw);
    const auto link = raw->header("Link");
    REQUIRE(link);
    CHECK(contains(*link, R"(rel="next"; results="false")"));
}

TEST_CASE("Sentry: more pages than the cap are cut and flagged truncated", "[sentry]") {
    fixture f;
    f.fake.set_page_size(1);
    std::vector<fake_sentry_issue> issues;
    for (int i = 0; i < sentry_issues::max_pages + 2; ++i) {
        issues.push_back(issue(std::to_string(i), "2026-11-26T10:10:00Z"));
    }
    f.fake.set_issues(issues);
    auto list = f.sentry->new_issues_since(f.deploy, "production");
    REQUIRE(list);
    CHECK(list->truncated);
    CHECK(list->issues.size() == static_cast<size_t>(sentry_issues::max_pages));
    CHECK(f.fake.requests().size() == static_cast<size_t>(sentry_issues::max_pages));
}

TEST_CASE("Sentry: a project slug goes into the search, not the numeric project parameter", "[sentry]") {
    fixture f;
    auto sentry = make_sentry_issues(config_for(f.fake, "api"), f.fake.token(), *f.http, &f.clk);
    REQUIRE(sentry->new_issues_since(f.deploy, "production"));
    const auto r = f.fake.requests().at(0);
    CHECK(r.query.count("project") == 0);
    CHECK(contains(r.query.at("query"), "project:api"));
}

TEST_CASE("Sentry: errors", "[sentry]") {
    fixture f;
    SECTION("a refused token is an auth error that names the setting, not the token") {
        auto sentry = make_sentry_issues(config_for(f.fake), "sntrys_wrong_value", *f.http, &f.clk);
        auto list = sentry->new_issues_since(f.deploy, "production");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::auth);
        CHECK(list.error().message == "Sentry refused the token (401): check monitoring.sentry.token_env");
        CHECK_FALSE(contains(list.error().message, "sntrys_wrong_value"));
    }
    SECTION("an unknown organisation is not_found naming it") {
        auto config = config_for(f.fake);
        config.org = "other-org";
        auto sentry = make_sentry_issues(config, f.fake.token(), *f.http, &f.clk);
        auto list = sentry->new_issues_since(f.deploy, "production");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::not_found);
        CHECK(contains(list.error().message, "other-org"));
    }
    SECTION("malformed JSON is bad_response naming the service and endpoint") {
        f.fake.knobs().malformed_next();
        auto list = f.sentry->new_issues_since(f.deploy, "production");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
        CHECK(contains(list.error().message, "Sentry"));
        CHECK(contains(list.error().message, "/issues/"));
    }
    SECTION("an object where the issue array is expected is bad_response") {
        f.fake.knobs().fail_next(200, R"({"detail":"not a list"})");
        auto list = f.sentry->new_issues_since(f.deploy, "production");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
        CHECK(contains(list.error().message, "array"));
    }
    SECTION("a count that is not a number is bad_response") {
        f.fake.knobs().fail_next(200, R"([{"id":"1","count":"many","firstSeen":"2026-11-26T10:05:00Z"}])");
        auto list = f.sentry->new_issues_since(f.deploy, "production");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::bad_response);
    }
    SECTION("a bad environment name is refused before any request") {
        auto list = f.sentry->new_issues_since(f.deploy, "prod uction");
        REQUIRE_FALSE(list);
        CHECK(list.error().kind == error_kind::invalid_input);
        CHECK(f.fake.requests().empty());
    }
}

TEST_CASE("Sentry: a server that does not answer gives a timeout error", "[sentry]") {
    fake_sentry fake;
    auto http = test_client(std::chrono::milliseconds(300));
    auto sentry = make_sentry_issues(config_for(fake), fake.token(), *http);
    fake.knobs().block();
    auto list = sentry->new_issues_since(std::chrono::system_clock::now() - std::chrono::minutes(15), "production");
    fake.knobs().release();
    REQUIRE_FALSE(list);
    CHECK(list.error().kind == error_kind::timeout);
    CHECK(contains(list.error().message, "Sentry"));
}
