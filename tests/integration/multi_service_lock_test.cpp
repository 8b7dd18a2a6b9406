// A plan that acts on several services (here /incident site-down: web and api) locks each of them, so a
// `/deploy lock` of one of them holds it back, and while it runs the services are locked one by one.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;

harness_options site_down_options() {
    harness_options o;
    o.configure = [](stack_config& c) {
        c.policies["incident"].run = "deployers";
        c.services.at("web").url = c.services.at("api").health_url.at("production");
    };
    return o;
}

}  // namespace

TEST_CASE("a /deploy lock on api holds back a site-down that would roll api back, nothing moves") {
    bot_harness h(site_down_options());
    h.command(approver_b, "/deploy", "lock api production \"incident 42: hold api\"");
    REQUIRE(h.active_locks() == 1);

    h.command(requester, "/incident", "site-down");
    REQUIRE(h.message_of("A-1"));
    h.click(approver_a, "A-1", "approve");

    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.vercel_mutations() == 0);  // web was not rolled back either: the plan is one piece
    CHECK(h.railway_rollbacks() == 0);
    CHECK(contains(text_of(*h.message_of("A-1")), "api"));
    CHECK(h.active_locks() == 1);  // the freeze stays; nothing the action claimed is left behind
    CHECK(h.audit_ok());
}

TEST_CASE("without a freeze the site-down runs and releases both of its locks") {
    bot_harness h(site_down_options());
    h.command(requester, "/incident", "site-down");
    REQUIRE(h.message_of("A-1"));
    h.click(approver_a, "A-1", "approve");
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.active_locks() == 0);
    int claimed = 0;
    for (const auto& event : h.audit_events("A-1")) {
        claimed += event == "lock.claimed" ? 1 : 0;
    }
    CHECK(claimed == 2);  // web and api, not one lock named after the plan
}
