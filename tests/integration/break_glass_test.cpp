// Break-glass end to end (issue #7): where policies.<family>.break_glass allows it, `--break-glass "<reason>"` runs
// the requester's destructive command without a second person, posts it loudly to the incident channel, and leaves
// it unreviewed in /audit until another approver acknowledges it. The real runtime over loopback sockets against
// the fake Slack and the fake Vercel / Railway APIs.
#include "tests/support/bot_harness.hpp"

#include "demo/render.hpp"
#include "bot/incident_notifier.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace sim = opsbot::sim;

constexpr const char* reason = "site down, approvers asleep";

size_t count_event(const std::vector<std::string>& events, const std::string& event) {
    return static_cast<size_t>(std::count(events.begin(), events.end(), event));
}

bool in_order(const std::vector<std::string>& events, const std::vector<std::string>& wanted) {
    auto at = events.begin();
    for (const auto& w : wanted) {
        at = std::find(at, events.end(), w);
        if (at == events.end()) {
            return false;
        }
        ++at;
    }
    return true;
}

harness_options break_glass_allowed() {
    harness_options o;
    o.configure = [](opsbot::stack_config& c) { c.policies["rollback"].break_glass = true; };
    return o;
}

std::string last_ephemeral(bot_harness& h, const std::string& user) {
    auto shown = h.ephemerals_for(user);
    return shown.empty() ? std::string{} : text_of(shown.back());
}

std::string message_text(bot_harness& h, const std::string& action) {
    auto m = h.message_of(action);
    return m ? text_of(*m) : std::string{};
}

/// The reply a command delivered through its response_url (the newest one).
std::string last_reply(bot_harness& h) {
    auto replies = h.slack().messages("response_url");
    return replies.empty() ? std::string{} : text_of(replies.back());
}

/// The immediate (ack) answer to a slash command envelope.
std::string ack_answer(bot_harness& h, const std::string& envelope) {
    REQUIRE(h.slack().wait_for([&] { return !h.slack().acks_for(envelope).empty(); }, 20s));
    auto ack = h.slack().acks_for(envelope).front().ack;
    return ack.contains("payload") ? boost::json::serialize(ack.at("payload")) : std::string{};
}

/// The incident-channel post about `action`'s break-glass (its first version).
std::optional<sim::recorded_message> break_glass_post(bot_harness& h, const std::string& action) {
    for (auto& m : messages_in(h.slack(), incident_channel, "chat.postMessage")) {
        auto text = text_of(m);
        if (contains(text, "Break-glass") && contains(text, action)) {
            return m;
        }
    }
    return std::nullopt;
}

/// The newest version (post or update) of a message.
std::string newest_text(bot_harness& h, const sim::recorded_message& posted) {
    std::string out = text_of(posted);
    for (auto& m : h.slack().messages("chat.update")) {
        if (m.channel == posted.channel && m.ts == posted.ts) {
            out = text_of(m);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("break-glass where allowed: runs at once, loud incident post, unreviewed until another approver acks") {
    bot_harness h(break_glass_allowed());
    h.command(requester, "/rollback", std::string("web --break-glass \"") + reason + "\"");

    // Ran at once through the one executor: no approval click, one rollback call, lock taken and released.
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.active_locks() == 0);
    auto events = h.audit_events("A-1");
    CHECK(in_order(events, {"action.requested", "action.approved", "break_glass.used", "action.running",
                            "step.started", "step.succeeded", "action.succeeded"}));
    CHECK(count_event(events, "approval.approved") == 0);
    CHECK(count_event(events, "lock.claimed") == 1);
    CHECK(contains(last_reply(h), "Break-glass"));

    // Loud: the incident channel names who, what, why and links the action's thread; it carries the ack button.
    auto plan = h.message_of("A-1");
    REQUIRE(plan);
    auto loud = break_glass_post(h, "A-1");
    REQUIRE(loud);
    const std::string loud_text = text_of(*loud);
    CHECK(contains(loud_text, reason));
    CHECK(contains(loud_text, requester));
    CHECK(contains(loud_text, "Roll back web"));
    CHECK(contains(loud_text, opsbot::bot::message_link(plan->channel, plan->ts)));
    CHECK(contains(loud_text, "Acknowledge break-glass"));
    // The plan message shows it, with its steps done, unreviewed, and offers the acknowledgement.
    CHECK(contains(message_text(h, "A-1"), "*Succeeded*"));
    CHECK(contains(message_text(h, "A-1"), "unreviewed"));
    CHECK(h.button("A-1", "ack_break_glass"));
    CHECK_FALSE(h.button("A-1", "approve"));

    h.command(requester, "/audit", "");
    CHECK(contains(last_reply(h), "Unreviewed break-glass"));
    CHECK(contains(last_reply(h), "A-1"));
    h.command(requester, "/audit", "A-1");
    CHECK(contains(last_reply(h), "*unreviewed*"));
    CHECK(contains(last_reply(h), reason));

    // The requester cannot review their own break-glass; nor can a deployer who does not approve rollbacks.
    h.click(requester, "A-1", "ack_break_glass");
    CHECK(contains(last_ephemeral(h, requester), "cannot acknowledge your own break-glass"));
    h.click(non_approver, "A-1", "ack_break_glass");
    CHECK(contains(last_ephemeral(h, non_approver), "not an approver"));
    CHECK(h.button("A-1", "ack_break_glass"));
    CHECK(count_event(h.audit_events("A-1"), "break_glass.ack_refused") == 2);
    CHECK(count_event(h.audit_events("A-1"), "break_glass.acknowledged") == 0);
    h.command(requester, "/audit", "");
    CHECK(contains(last_reply(h), "Unreviewed break-glass"));

    // Another approver acknowledges: audited, the plan message and the incident post are updated.
    h.click(approver_a, "A-1", "ack_break_glass");
    CHECK(count_event(h.audit_events("A-1"), "break_glass.acknowledged") == 1);
    CHECK_FALSE(h.button("A-1", "ack_break_glass"));
    const std::string after = message_text(h, "A-1");
    CHECK(contains(after, std::string("acknowledged by <@") + approver_a));
    CHECK(contains(after, "*Succeeded*"));
    CHECK(contains(after, "✅"));  // the executor's step progress is kept
    const std::string loud_after = newest_text(h, *loud);
    CHECK(contains(loud_after, std::string("acknowledged by ") + approver_a));
    CHECK_FALSE(contains(loud_after, "Acknowledge break-glass"));

    h.command(requester, "/audit", "");
    CHECK_FALSE(contains(last_reply(h), "Unreviewed break-glass"));
    h.command(requester, "/audit", "A-1");
    CHECK(contains(last_reply(h), std::string("acknowledged by <@") + approver_a));

    CHECK(h.audit_ok());
}

TEST_CASE("break-glass can be acknowledged from the incident post") {
    bot_harness h(break_glass_allowed());
    h.command(requester, "/rollback", "api --break-glass \"API returns 502 everywhere\"");
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.railway_rollbacks() == 1);
    auto loud = break_glass_post(h, "A-1");
    REQUIRE(loud);
    std::string value = opsbot::demo::find_button_value(loud->blocks, "A-1", "ack_break_glass");
    REQUIRE_FALSE(value.empty());

    h.click_now(approver_b, plan_button{loud->channel, loud->ts, "ack_break_glass", value});
    h.settle();
    CHECK(count_event(h.audit_events("A-1"), "break_glass.acknowledged") == 1);
    CHECK(contains(newest_text(h, *loud), std::string("acknowledged by ") + approver_b));
    CHECK(contains(message_text(h, "A-1"), std::string("acknowledged by <@") + approver_b));

    // Once reviewed, a late click on the old post is refused and changes nothing.
    h.click_now(approver_a, plan_button{loud->channel, loud->ts, "ack_break_glass", value});
    h.settle();
    CHECK(contains(last_ephemeral(h, approver_a), "already acknowledged"));
    CHECK(count_event(h.audit_events("A-1"), "break_glass.acknowledged") == 1);
    CHECK(h.audit_ok());
}

TEST_CASE("break-glass without the policy flag is refused and nothing changes") {
    bot_harness h;  // policies.rollback.break_glass is false
    auto envelope = h.command(requester, "/rollback", "web --break-glass \"site down\"");
    CHECK(contains(ack_answer(h, envelope), "Break-glass is not enabled for /rollback"));
    CHECK_FALSE(h.message_of("A-1"));
    CHECK(h.state_of("A-1").starts_with("missing"));
    CHECK(messages_in(h.slack(), incident_channel).empty());
    CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").empty());
    CHECK(h.vercel_mutations() == 0);
    CHECK(h.active_locks() == 0);
}

TEST_CASE("break-glass needs a non-empty reason") {
    bot_harness h(break_glass_allowed());
    auto missing = h.command(requester, "/rollback", "web --break-glass");
    CHECK(contains(ack_answer(h, missing), "needs a value"));
    auto empty = h.command(requester, "/rollback", "web --break-glass \"   \"");
    CHECK(contains(ack_answer(h, empty), "must not be empty"));
    CHECK(h.state_of("A-1").starts_with("missing"));
    CHECK(messages_in(h.slack(), incident_channel).empty());
    CHECK(h.vercel_mutations() == 0);
}

TEST_CASE("without --break-glass the same policy still needs a second person") {
    bot_harness h(break_glass_allowed());
    h.command(requester, "/rollback", "web");
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
    CHECK_FALSE(h.button("A-1", "ack_break_glass"));
    CHECK_FALSE(break_glass_post(h, "A-1"));
    h.click(approver_a, "A-1", "approve");
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(count_event(h.audit_events("A-1"), "break_glass.used") == 0);
}
