// Plan digests (docs/design.md "What a user does"): an approval binds to what the plan does, so the digest must be
// stable across storage (JSON round trip, key order) and change exactly when a step's kind or params change.
#include "commands/plan/plan.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

using opsbot::commands::plan;
using opsbot::commands::plan_step;
namespace json = boost::json;

plan rollback_plan() {
    plan p;
    p.family = "rollback";
    p.title = "Roll back web (production, Vercel)";
    p.service = "web";
    p.environment = "production";
    p.next_step_on_failure = "Runbook §5";
    p.request = {{"family", "rollback"}, {"subcommand", ""}, {"args", json::object{{"service", "web"}}}};
    plan_step step;
    step.kind = "vercel.rollback";
    step.description = "Instantly roll back web from `dpl_B` (2 h old) to `dpl_A` (5 h old)";
    step.params = {{"service", "web"}, {"from", "dpl_B"}, {"to", "dpl_A"}, {"mode", "rollback"}};
    step.timeout = std::chrono::minutes{3};
    p.steps.push_back(step);
    plan_step health;
    health.kind = "health.check";
    health.description = "GET https://api.example.test/health";
    health.params = {{"url", "https://api.example.test/health"}};
    p.steps.push_back(health);
    return p;
}

}  // namespace

TEST_CASE("a plan's digest is 64 hex characters and deterministic") {
    auto p = rollback_plan();
    auto d = p.digest();
    REQUIRE(d.size() == 64);
    CHECK(d.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(rollback_plan().digest() == d);
}

TEST_CASE("the digest survives a JSON round trip through its stored text") {
    auto p = rollback_plan();
    auto text = json::serialize(p.to_json());
    auto back = opsbot::commands::plan_from_json(json::parse(text));
    CHECK(back.digest() == p.digest());
    CHECK(back.steps.size() == p.steps.size());
    CHECK(back.steps[0].timeout == p.steps[0].timeout);
    CHECK(json::serialize(back.to_json()) == text);
}

TEST_CASE("the digest does not depend on the order of keys in step params or in the stored JSON") {
    auto p = rollback_plan();
    auto reordered = p;
    reordered.steps[0].params = {{"mode", "rollback"}, {"to", "dpl_A"}, {"from", "dpl_B"}, {"service", "web"}};
    CHECK(reordered.digest() == p.digest());

    // The stored object with its keys written in reverse order reads back to the same digest.
    auto stored = p.to_json().as_object();
    json::object reversed;
    for (auto it = stored.end(); it != stored.begin();) {
        --it;
        reversed[it->key()] = it->value();
    }
    CHECK(json::serialize(reversed) != json::serialize(stored));
    CHECK(opsbot::commands::plan_from_json(reversed).digest() == p.digest());
}

TEST_CASE("the digest changes when what a step does changes") {
    const auto base = rollback_plan().digest();
    SECTION("another target") {
        auto p = rollback_plan();
        p.steps[0].params["to"] = "dpl_Z";
        CHECK(p.digest() != base);
    }
    SECTION("another source (a newer deployment appeared)") {
        auto p = rollback_plan();
        p.steps[0].params["from"] = "dpl_C";
        CHECK(p.digest() != base);
    }
    SECTION("an added param") {
        auto p = rollback_plan();
        p.steps[1].params["expect"] = "ok";
        CHECK(p.digest() != base);
    }
    SECTION("another step kind") {
        auto p = rollback_plan();
        p.steps[0].kind = "vercel.promote";
        CHECK(p.digest() != base);
    }
    SECTION("a step fewer, or the steps in another order") {
        auto fewer = rollback_plan();
        fewer.steps.pop_back();
        CHECK(fewer.digest() != base);
        auto swapped = rollback_plan();
        std::swap(swapped.steps[0], swapped.steps[1]);
        CHECK(swapped.digest() != base);
    }
    SECTION("another service or environment") {
        auto p = rollback_plan();
        p.service = "api";
        CHECK(p.digest() != base);
        auto q = rollback_plan();
        q.environment = "staging";
        CHECK(q.digest() != base);
    }
}

TEST_CASE("wording changes do not invalidate an approval") {
    const auto base = rollback_plan().digest();
    auto p = rollback_plan();
    p.title = "Roll back the web app";
    p.steps[0].description = "Instantly roll back web from `dpl_B` (3 h old) to `dpl_A` (6 h old)";
    p.steps[1].description = "Check health";
    p.impact.push_back("Users see the previous version");
    p.next_step_on_failure = "Call someone";
    CHECK(p.digest() == base);
}
