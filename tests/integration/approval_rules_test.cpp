// The two-person rule through real sockets (docs/design.md "What a user does", issue #3): every refused or raced
// decision leaves the platform's mutating endpoint untouched, and an approved action runs exactly once.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;

size_t count_event(const std::vector<std::string>& events, const std::string& event) {
    return static_cast<size_t>(std::count(events.begin(), events.end(), event));
}

/// The newest ephemeral message shown to `user`, as text ("" when none).
std::string last_ephemeral(bot_harness& h, const std::string& user) {
    auto shown = h.ephemerals_for(user);
    return shown.empty() ? std::string{} : text_of(shown.back());
}

std::string message_text(bot_harness& h, const std::string& action) {
    auto m = h.message_of(action);
    return m ? text_of(*m) : std::string{};
}

}  // namespace

TEST_CASE("the requester cannot approve their own request") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    h.click(requester, "A-1", "approve");

    CHECK(contains(last_ephemeral(h, requester), "you cannot approve your own request"));
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(count_event(h.audit_events("A-1"), "approval.refused") == 1);
    CHECK(h.button("A-1", "approve"));  // still open for someone else
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("a deployer who is not an approver, and an outsider, cannot approve") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    h.click(non_approver, "A-1", "approve");
    CHECK(contains(last_ephemeral(h, non_approver), "not allowed to approve"));
    h.click("U99", "A-1", "approve");
    CHECK(contains(last_ephemeral(h, "U99"), "not allowed to approve"));
    h.click("U99", "A-1", "deny");
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(count_event(h.audit_events("A-1"), "approval.refused") == 3);
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("an approval after the request expired is refused and the message shows Expired") {
    harness_options o;
    o.manual_time = true;
    o.expires_after = std::chrono::minutes{15};
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));
    h.clock().advance(std::chrono::minutes{15} + 1s);
    h.click(approver_a, "A-1", "approve");

    CHECK(contains(last_ephemeral(h, approver_a), "expired"));
    CHECK(h.state_of("A-1") == "expired");
    CHECK(contains(message_text(h, "A-1"), "*Expired*"));
    CHECK_FALSE(h.button("A-1", "approve"));
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("one second before expiry an approval still counts") {
    harness_options o;
    o.manual_time = true;
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    h.clock().advance(std::chrono::minutes{15} - 1s);
    h.click(approver_a, "A-1", "approve");
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
}

TEST_CASE("a double click by the same approver runs the action once") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    SECTION("one after the other") {
        h.click_now(approver_a, *approve);
        h.settle();
        h.click_now(approver_a, *approve);
        h.settle();
        CHECK(contains(last_ephemeral(h, approver_a), "already"));
    }
    SECTION("back to back") {
        h.click_now(approver_a, *approve);
        h.click_now(approver_a, *approve);
        h.settle();
        CHECK(contains(last_ephemeral(h, approver_a), "already"));
    }
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    auto events = h.audit_events("A-1");
    CHECK(count_event(events, "approval.approved") == 1);
    CHECK(count_event(events, "action.running") == 1);
    CHECK(h.audit_ok());
}

TEST_CASE("with two approvals needed, the same approver twice is not two approvals") {
    harness_options o;
    o.approvals = 2;
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    CHECK(contains(last_ephemeral(h, approver_a), "(1 of 2)"));
    CHECK(contains(message_text(h, "A-1"), "(1 of 2)"));
    h.click(approver_a, "A-1", "approve");
    CHECK(contains(last_ephemeral(h, approver_a), "you already decided on A-1"));
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("two approvals sent back to back by different approvers run the action once, after both") {
    harness_options o;
    o.approvals = 2;
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.click_now(approver_a, *approve);
    h.click_now(approver_b, *approve);
    h.settle();

    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    auto events = h.audit_events("A-1");
    CHECK(count_event(events, "approval.approved") == 2);
    CHECK(count_event(events, "action.approved") == 1);
    CHECK(count_event(events, "action.running") == 1);
    // Approved only once both approvals were in: the second approval precedes action.approved.
    auto second = std::find(std::find(events.begin(), events.end(), "approval.approved") + 1, events.end(),
                            "approval.approved");
    CHECK(std::find(events.begin(), second, "action.approved") == second);
    auto final_text = message_text(h, "A-1");
    CHECK(contains(final_text, "*Succeeded*"));
    CHECK(contains(final_text, "✅ 1."));
    CHECK_FALSE(h.button("A-1", "approve"));
    CHECK(contains(final_text, std::string("<@") + approver_a + ">"));
    CHECK(contains(final_text, std::string("<@") + approver_b + ">"));

    // A third approver arriving late changes nothing.
    h.click_now(approver_c, *approve);
    h.settle();
    CHECK(contains(last_ephemeral(h, approver_c), "already"));
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.audit_ok());
}

TEST_CASE("two approvers racing on a one-approval request: exactly one rollback call") {
    for (int round = 0; round < 5; ++round) {
        INFO("round " << round);
        bot_harness h;
        h.command(requester, "/rollback", "web");
        auto approve = h.button("A-1", "approve");
        REQUIRE(approve);
        h.click_now(approver_a, *approve);
        h.click_now(approver_b, *approve);
        h.settle();
        CHECK(h.state_of("A-1") == "succeeded");
        CHECK(h.vercel_mutations() == 1);
        auto events = h.audit_events("A-1");
        CHECK(count_event(events, "approval.approved") == 1);
        CHECK(count_event(events, "action.running") == 1);
        CHECK(messages_in(h.slack(), incident_channel, "chat.postMessage").size() == 1);
        // The refused click must not leave its stale view as the message's last word.
        auto final_text = message_text(h, "A-1");
        CHECK(contains(final_text, "*Succeeded*"));
        CHECK(contains(final_text, "✅ 1."));
        CHECK_FALSE(h.button("A-1", "approve"));
        CHECK(h.audit_ok());
    }
}

TEST_CASE("a denied request never runs") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.click(approver_a, "A-1", "deny");
    CHECK(h.state_of("A-1") == "denied");
    auto text = message_text(h, "A-1");
    CHECK(contains(text, "*Denied*"));
    CHECK(contains(text, std::string("Denied by ") + approver_a));
    CHECK_FALSE(h.button("A-1", "approve"));
    // An approve click on the old message arrives later: refused.
    h.click_now(approver_b, *approve);
    h.settle();
    CHECK(contains(last_ephemeral(h, approver_b), "already"));
    CHECK(h.state_of("A-1") == "denied");
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("only the requester can cancel, and a cancelled request never runs") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.click(approver_a, "A-1", "cancel");
    CHECK(contains(last_ephemeral(h, approver_a), "only the requester can cancel"));
    CHECK(h.state_of("A-1") == "awaiting_approval");

    h.click(requester, "A-1", "cancel");
    CHECK(h.state_of("A-1") == "cancelled");
    CHECK(contains(message_text(h, "A-1"), "*Cancelled*"));
    CHECK_FALSE(h.button("A-1", "approve"));
    h.click_now(approver_a, *approve);
    h.settle();
    CHECK(contains(last_ephemeral(h, approver_a), "already"));
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("an approve click carrying another plan's digest is refused") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    auto forged = *approve;
    forged.value = "A-1:" + std::string(64, '0');
    h.click_now(approver_a, forged);
    h.settle();
    CHECK(contains(last_ephemeral(h, approver_a), "plan changed"));
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("plan drift: a newer deployment appeared after the request, so the approval does not run it") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));
    // Someone deployed after the plan was posted: production moved on.
    h.vercel().add_deployment({"dpl_Newer4", 1'764'000'000'000 + 9'000'000, "READY", "PROMOTED", "production",
                               "4444444dddd", "main", true, "web"});
    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel_mutations() == 0);
    CHECK(h.state_of("A-1") == "failed");
    CHECK(contains(message_text(h, "A-1"), "plan changed"));
    auto events = h.audit_events("A-1");
    CHECK(count_event(events, "plan.changed") == 1);
    CHECK(count_event(events, "action.running") == 0);
    CHECK(h.active_locks() == 0);

    // A fresh request follows, planned against the new state, awaiting a fresh approval.
    REQUIRE(h.button("A-2", "approve"));
    CHECK(h.state_of("A-2") == "awaiting_approval");
    auto fresh = message_text(h, "A-2");
    CHECK(contains(fresh, "dpl_Newer4"));
    CHECK(contains(fresh, std::string("<@") + requester + ">"));

    h.click(approver_a, "A-2", "approve");
    CHECK(h.state_of("A-2") == "succeeded");
    auto requests = h.vercel().requests();
    auto post = std::find_if(requests.begin(), requests.end(), [](const auto& r) { return r.method == "POST"; });
    REQUIRE(post != requests.end());
    CHECK(post->path == std::string("/v1/projects/prj_abc/rollback/") + vercel_live);
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.audit_ok());
}

TEST_CASE("a replayed click envelope runs the action once") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    auto envelope = h.click_now(approver_a, *approve);
    REQUIRE(h.slack().resend_envelope(envelope));
    // Slack needs an ack for the replay too; the bot acks it and ignores it (not counted as handled).
    REQUIRE(h.slack().wait_for([&] { return h.slack().acks_for(envelope).size() == 2; }, 20s));
    h.settle();
    REQUIRE(h.slack().resend_envelope(envelope));
    REQUIRE(h.slack().wait_for([&] { return h.slack().acks_for(envelope).size() == 3; }, 20s));
    h.settle();

    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    CHECK(count_event(h.audit_events("A-1"), "approval.approved") == 1);
    CHECK(h.ephemerals_for(approver_a).empty());  // the replay was not even seen as a second click
    CHECK(h.audit_ok());
}

TEST_CASE("plan drift found by the second of two approvals clicked together: the message ends showing why") {
    for (int round = 0; round < 5; ++round) {
        INFO("round " << round);
        harness_options o;
        o.approvals = 2;
        bot_harness h(o);
        h.command(requester, "/rollback", "web");
        auto approve = h.button("A-1", "approve");
        REQUIRE(approve);
        h.vercel().add_deployment({"dpl_Newer4", 1'764'000'000'000 + 9'000'000, "READY", "PROMOTED", "production",
                                   "4444444dddd", "main", true, "web"});
        h.click_now(approver_a, *approve);
        h.click_now(approver_b, *approve);
        h.settle();
        CHECK(h.state_of("A-1") == "failed");
        CHECK(h.vercel_mutations() == 0);
        // Whichever click finished first, the last word on A-1 is that it did not run, with no live buttons.
        CHECK(contains(message_text(h, "A-1"), "plan changed"));
        CHECK_FALSE(h.button("A-1", "approve"));
        CHECK(h.button("A-2", "approve"));
    }
}

TEST_CASE("the expiry sweep marks an unanswered request expired and takes its buttons away") {
    harness_options o;
    o.manual_time = true;
    o.expiry_sweep_interval = 1s;
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));
    h.clock().advance(std::chrono::minutes{16});
    REQUIRE(h.slack().wait_for([&] { return contains(message_text(h, "A-1"), "*Expired*"); }, 20s));
    CHECK_FALSE(h.button("A-1", "approve"));
    CHECK(h.state_of("A-1") == "expired");
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("who may request: a non-deployer and another channel are refused, and nothing is posted") {
    bot_harness h;
    h.command(approver_c, "/rollback", "web");  // approves rollbacks, may not run them
    h.command(requester, "/rollback", "web", "C0RANDOM");
    CHECK_FALSE(h.message_of("A-1"));
    CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").empty());
    CHECK(messages_in(h.slack(), "C0RANDOM", "chat.postMessage").empty());
    // The refusal is the ack's immediate, ephemeral answer. The bot settles when it has handed the envelope
    // on; the simulator may record the ack a moment later, so wait for it.
    REQUIRE(h.slack().wait_for([&] { return h.slack().acks().size() >= 2; }, 20s));
    auto acks = h.slack().acks();
    REQUIRE(acks.size() == 2);
    auto answer = [](const opsbot::sim::ack_record& a) {
        return boost::json::serialize(a.ack.contains("payload") ? a.ack.at("payload") : boost::json::value());
    };
    CHECK(contains(answer(acks[0]), "not allowed to run /rollback"));
    CHECK(contains(answer(acks[1]), "may only run in"));
    CHECK(h.state_of("A-1").starts_with("missing"));
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("two requests for the same service approved together: one rollback call") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    h.command(approver_b, "/rollback", "web");
    auto first = h.button("A-1", "approve");
    auto second = h.button("A-2", "approve");
    REQUIRE(first);
    REQUIRE(second);
    h.click_now(approver_a, *first);
    h.click_now(approver_a, *second);
    h.settle();
    CHECK(h.vercel_mutations() == 1);
    std::vector<std::string> states{h.state_of("A-1"), h.state_of("A-2")};
    std::sort(states.begin(), states.end());
    // One ran; the other stopped before running (lock busy, or the plan moved under it).
    CHECK(states == std::vector<std::string>{"failed", "succeeded"});
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}
