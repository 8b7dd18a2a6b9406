// The Stop button (issue 12 item 8, docs/design.md "Actions and steps"): a running action's message carries it; the
// requester or an approver of the family presses it; the step running finishes, nothing after it runs, the action
// is `stopped`, its locks are freed, and it is audited and posted to the incident channel. Others are refused.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

bool has_event(const std::vector<std::string>& events, const std::string& event) {
    return std::find(events.begin(), events.end(), event) != events.end();
}

harness_options site_down_with_two_checks() {
    harness_options o;
    o.configure = [](stack_config& c) { testing::site_down_with_two_checks(c); };
    return o;
}

/// Waits (no settle: a worker is held on purpose) until `user` got an ephemeral message containing `text`.
bool told(bot_harness& h, const std::string& user, const std::string& text) {
    return h.slack().wait_for(
        [&] {
            for (const auto& m : h.ephemerals_for(user)) {
                if (contains(text_of(m), text)) {
                    return true;
                }
            }
            return false;
        },
        30s);
}

std::string thread_text(bot_harness& h, const std::string& ts) {
    std::string out;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == ts) {
            out += text_of(m);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("Stop: the step running finishes, nothing after it runs, stopped, locks freed, audited, announced") {
    bot_harness h(site_down_with_two_checks());
    h.command(requester, "/incident", "site-down");
    REQUIRE(h.message_of("A-1"));
    CHECK_FALSE(h.button("A-1", "stop"));  // awaiting approval: no Stop yet

    h.health().knobs().block();  // the first health check (step 3) is held while people press Stop
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.click_now(approver_a, *approve);
    REQUIRE(h.health().knobs().wait_blocked(1));
    CHECK(h.state_of("A-1") == "running");
    CHECK(h.active_locks() == 2);
    auto stop = h.button("A-1", "stop");
    REQUIRE(stop);  // the running action's message carries Stop

    // Neither the requester nor an approver: refused, nothing changes.
    h.click_now(non_approver, *stop);
    REQUIRE(told(h, non_approver, "Only <@U01>"));
    CHECK(h.state_of("A-1") == "running");

    h.click_now(requester, *stop);
    REQUIRE(told(h, requester, "A-1 stops before its next step"));
    CHECK(h.state_of("A-1") == "running");  // the step running now finishes first
    h.health().knobs().release();
    h.settle();

    CHECK(h.state_of("A-1") == "stopped");
    CHECK(h.health().request_count() == 1);  // step 3 ran; step 4 (api's health check) did not
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.active_locks() == 0);
    auto message = h.message_of("A-1");
    REQUIRE(message);
    const auto shown = text_of(*message);
    CHECK(contains(shown, "*Stopped*"));
    CHECK(contains(shown, "✅ 3."));
    CHECK(contains(shown, "⏭️ 4."));
    CHECK_FALSE(h.button("A-1", "stop"));
    CHECK(contains(thread_text(h, message->ts), "*Stopped* by <@U01> before step 4 of 4"));
    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), "was stopped"));
    CHECK(contains(text_of(incidents[0]), "stopped by U01 before step 4 of 4"));

    auto events = h.audit_events("A-1");
    CHECK(has_event(events, "action.stop_refused"));
    CHECK(has_event(events, "action.stop_requested"));
    CHECK(has_event(events, "action.stopped"));
    CHECK(std::count(events.begin(), events.end(), "step.started") == 3);
    CHECK(h.audit_ok());

    // Pressing the old button again: nothing left to stop.
    h.click_now(approver_b, *stop);
    h.settle();
    REQUIRE(told(h, approver_b, "A-1 is not running (it is stopped)"));
}

TEST_CASE("Stop by an approver of the family who is not the requester") {
    bot_harness h(site_down_with_two_checks());
    h.command(requester, "/incident", "site-down");
    h.health().knobs().block();
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.click_now(approver_a, *approve);
    REQUIRE(h.health().knobs().wait_blocked(1));
    auto stop = h.button("A-1", "stop");
    REQUIRE(stop);
    h.click_now(approver_c, *stop);  // approves rollbacks, never asked for this one
    REQUIRE(told(h, approver_c, "A-1 stops before its next step"));
    h.health().knobs().release();
    h.settle();
    CHECK(h.state_of("A-1") == "stopped");
    CHECK(h.health().request_count() == 1);
    CHECK(h.active_locks() == 0);
}
