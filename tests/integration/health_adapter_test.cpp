// The /health checker against a loopback endpoint (runbook §7).
#include "adapters/health.hpp"
#include "tests/support/fake_health.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_health;

namespace {

http_options quick_options() {
    http_options o;
    o.request_timeout = std::chrono::seconds(5);
    o.max_attempts = 1;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

}  // namespace

TEST_CASE("health: the runbook's healthy answer is ok", "[health]") {
    fake_health fake;
    auto http = make_http_client(quick_options());
    auto checker = make_health_checker(*http);
    auto report = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(report);
    CHECK(report->ok);
    CHECK(report->http_status == 200);
    CHECK(report->status == "ok");
    CHECK(report->db == "ok");
    CHECK(report->redis == "ok");
    CHECK(report->timestamp == "2026-11-27T10:00:00.000Z");
    CHECK(report->reason.empty());
    CHECK(fake.request_count() == 1);
}

TEST_CASE("health: a failing check is reported with what failed", "[health]") {
    fake_health fake;
    auto http = make_http_client(quick_options());
    auto checker = make_health_checker(*http);

    fake.set_checks("degraded", "down", "ok");
    auto report = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(report);
    CHECK_FALSE(report->ok);
    CHECK(report->db == "down");
    CHECK(report->redis == "ok");
    CHECK(report->reason.find("db: down") != std::string::npos);
    CHECK(report->reason.find("status: degraded") != std::string::npos);
    CHECK(report->reason.find("redis") == std::string::npos);

    fake.set_answer(200, R"({"status":"ok","timestamp":"t","checks":{"db":"ok"}})");
    auto missing = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(missing);
    CHECK_FALSE(missing->ok);
    CHECK(missing->reason == "redis: missing");
}

TEST_CASE("health: HTTP 500 and malformed answers are not ok, not errors", "[health]") {
    fake_health fake;
    auto http = make_http_client(quick_options());
    auto checker = make_health_checker(*http);

    fake.set_answer(500, R"({"status":"error","checks":{"db":"down","redis":"ok"}})");
    auto failed = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(failed);
    CHECK_FALSE(failed->ok);
    CHECK(failed->http_status == 500);
    CHECK(failed->reason == "HTTP 500 (db: down)");
    CHECK(fake.request_count() == 1);  // one attempt: the checker's client does not hammer a sick service

    fake.set_answer(503, R"({"status":"error"})");
    auto unavailable = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(unavailable);
    CHECK_FALSE(unavailable->ok);
    CHECK(unavailable->http_status == 503);
    CHECK(unavailable->reason == "HTTP 503 (status: error)");

    fake.set_answer(200, "<html>Bad gateway</html>");
    auto malformed = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(malformed);
    CHECK_FALSE(malformed->ok);
    CHECK(malformed->reason == "the answer is not a JSON object");

    fake.set_answer(404, "Not Found");
    auto missing = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(missing);
    CHECK_FALSE(missing->ok);
    CHECK(missing->reason == "HTTP 404");
}

TEST_CASE("health: an endpoint that never answers is a timeout error", "[health]") {
    fake_health fake;
    fake.knobs().block();
    auto checker = make_health_checker(quick_options());
    auto pending = std::async(std::launch::async,
                              [&] { return checker->check(fake.url(), std::chrono::milliseconds(300)); });
    REQUIRE(fake.knobs().wait_blocked(1));
    REQUIRE(pending.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    auto result = pending.get();
    fake.knobs().release();
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == error_kind::timeout);
    CHECK(result.error().message.find(fake.url()) != std::string::npos);

    // Released: the next check answers again.
    auto again = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(again);
    CHECK(again->ok);
}

TEST_CASE("health: the bot's checker is bounded by the check's timeout", "[health]") {
    fake_health fake;
    auto http = make_http_client(quick_options());
    auto checker = make_health_checker(*http);
    fake.knobs().block();
    auto result = checker->check(fake.url(), std::chrono::milliseconds(300));
    fake.knobs().release();
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == error_kind::timeout);
}

TEST_CASE("health: a 503 names the failing checks from its body, through the bot's (shared-client) checker",
          "[health]") {
    fake_health fake;
    auto options = quick_options();
    options.max_attempts = 4;  // the shared client retries 5xx: the check must not
    auto http = make_http_client(options);
    auto checker = make_health_checker(*http);
    fake.set_answer(503, R"({"status":"error","checks":{"db":"ok","redis":"error"}})");
    auto report = checker->check(fake.url(), std::chrono::seconds(5));
    REQUIRE(report);
    CHECK_FALSE(report->ok);
    CHECK(report->http_status == 503);
    CHECK(report->redis == "error");
    CHECK(report->db == "ok");
    CHECK(report->reason == "HTTP 503 (redis: error)");
    CHECK(fake.request_count() == 1);
}

TEST_CASE("health: judge_health_answer is strict about every check", "[health]") {
    CHECK(judge_health_answer(200, R"({"status":"ok","checks":{"db":"ok","redis":"ok","queue":"ok"}})").ok);
    auto extra = judge_health_answer(200, R"({"status":"ok","checks":{"db":"ok","redis":"ok","queue":"stalled"}})");
    CHECK_FALSE(extra.ok);
    CHECK(extra.reason == "queue: stalled");
    CHECK_FALSE(judge_health_answer(200, R"([1,2])").ok);
    CHECK(judge_health_answer(200, R"({"checks":{"db":"ok","redis":"ok"}})").reason == "status: missing");
}
