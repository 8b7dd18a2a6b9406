// The executor's side of "production changed since approval" (issue 12 item 2): a step that fails with
// error_kind::changed_since_approval stops the action (state failed, nothing after it runs), the thread says
// ":warning: *Production changed since approval* — …" and the incident channel gets a notice saying so, with the
// step and the message.
//
// The acting steps' own precondition checks (the live deployment is still the plan's `from`, …) are another change
// of issue 12; here the step that finds production moved is a health check whose checker answers as such a
// precondition does, so the test covers exactly what the executor does with that answer.
#include "tests/support/bot_harness.hpp"

#include "adapters/health.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;

/// A platform check that finds production moved since the plan was approved.
class production_moved final : public adapters::health_checker {
public:
    explicit production_moved(std::shared_ptr<std::atomic<int>> calls) : calls_(std::move(calls)) {}
    result<adapters::health_report> check(const std::string&, std::chrono::milliseconds) override {
        ++*calls_;
        return fail(error_kind::changed_since_approval,
                    "production changed since approval: api's live deployment is now rw-hotfix-5, the plan was "
                    "approved against rw-live-4");
    }

private:
    std::shared_ptr<std::atomic<int>> calls_;
};

}  // namespace

TEST_CASE("a step finding production changed since approval stops the action and says so in thread and incident") {
    auto calls = std::make_shared<std::atomic<int>>(0);
    harness_options o;
    // /incident site-down with two health checks (web's, then api's): the first finds production moved.
    o.configure = [](stack_config& c) { site_down_with_two_checks(c); };
    o.platforms = [calls](commands::platform_registry& r) { r.health = std::make_unique<production_moved>(calls); };
    bot_harness h(o);
    h.command(requester, "/incident", "site-down");
    h.click(approver_a, "A-1", "approve");

    CHECK(h.state_of("A-1") == "failed");
    CHECK(*calls == 1);  // the step after it (api's health check) never ran
    CHECK(h.active_locks() == 0);

    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "❌ 3."));
    std::string thread;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == message->ts) {
            thread += text_of(m);
        }
    }
    CHECK(contains(thread, ":warning: *Production changed since approval* — step 3: api's live deployment is now "
                           "rw-hotfix-5, the plan was approved against rw-live-4. Nothing after it ran."));
    CHECK(contains(thread, "`/deploy status`"));

    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    const auto notice = text_of(incidents[0]);
    CHECK(contains(notice, "Production changed since approval: Site down: roll back web and api (production) stopped "
                           "at step 3"));
    CHECK(contains(notice, "step 3 found production changed since approval: api's live deployment is now rw-hotfix-5"));

    auto events = h.audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "step.started") == 3);
    CHECK(std::find(events.begin(), events.end(), "action.failed") != events.end());
    CHECK(h.audit_ok());
}
