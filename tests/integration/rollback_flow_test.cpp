// /rollback end to end (docs/design.md "What a user does", issue #3): the real runtime over loopback sockets against
// the fake Slack and the fake Vercel / Railway APIs, with its SQLite file read back through the storage layer.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;

bool has_event(const std::vector<std::string>& events, const std::string& event) {
    return std::find(events.begin(), events.end(), event) != events.end();
}

/// `wanted` appear in `events` in this order (other events may sit between them).
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

std::vector<opsbot::sim::recorded_message> thread_posts(bot_harness& h, const std::string& ts) {
    std::vector<opsbot::sim::recorded_message> out;
    for (auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == ts) {
            out.push_back(std::move(m));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("rollback of the Vercel web app: request, approval, one rollback call, outcome everywhere") {
    bot_harness h;
    h.command(requester, "/rollback", "web");

    auto posted = h.message_of("A-1");
    REQUIRE(posted);
    const std::string plan_ts = posted->ts;
    CHECK(posted->channel == ops_channel);
    CHECK(contains(text_of(*posted), vercel_live));
    CHECK(contains(text_of(*posted), vercel_target));
    CHECK(h.button("A-1", "approve"));
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
    // The requester was told via response_url that the plan is posted.
    auto replies = h.slack().messages("response_url");
    REQUIRE_FALSE(replies.empty());
    CHECK(contains(text_of(replies.back()), "A-1"));

    h.click(approver_a, "A-1", "approve");

    // Exactly one rollback POST, to the planned target, with the team id.
    auto requests = h.vercel().requests();
    std::vector<opsbot::sim::request> rollbacks;
    std::copy_if(requests.begin(), requests.end(), std::back_inserter(rollbacks),
                 [](const auto& r) { return r.method == "POST"; });
    REQUIRE(rollbacks.size() == 1);
    CHECK(rollbacks[0].path == std::string("/v1/projects/prj_abc/rollback/") + vercel_target);
    REQUIRE(rollbacks[0].query.contains("teamId"));
    CHECK(rollbacks[0].query.at("teamId") == "team_123");
    CHECK(h.vercel().deployment(vercel_target)->ready_substate == "PROMOTED");

    CHECK(h.state_of("A-1") == "succeeded");
    auto final_message = h.message_of("A-1");
    REQUIRE(final_message);
    CHECK(final_message->kind == "chat.update");
    CHECK(final_message->ts == plan_ts);
    CHECK(contains(text_of(*final_message), "✅"));
    CHECK(contains(text_of(*final_message), "*Succeeded*"));
    CHECK_FALSE(h.button("A-1", "approve"));

    auto in_thread = thread_posts(h, plan_ts);
    REQUIRE(in_thread.size() == 1);
    CHECK(contains(text_of(in_thread[0]), "Succeeded"));

    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), "A-1"));
    CHECK(contains(text_of(incidents[0]), "succeeded"));

    auto events = h.audit_events("A-1");
    CHECK(in_order(events, {"action.requested", "approval.approved", "action.approved", "action.running",
                            "step.started", "step.succeeded", "action.succeeded"}));
    CHECK(has_event(events, "lock.claimed"));
    CHECK(has_event(events, "lock.released"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("rollback of the Railway API: deploymentRollback to the newest older rollbackable deployment, then health") {
    bot_harness h;
    h.command(requester, "/rollback", "api");
    auto posted = h.message_of("A-1");
    REQUIRE(posted);
    // rw-failed-3 is newer but cannot be rolled back to; the REMOVED rw-prev-2 can (docs/platforms.md §2.2).
    CHECK(contains(text_of(*posted), railway_target));
    CHECK(h.railway_rollbacks() == 0);
    const auto health_before = h.health().request_count();

    h.click(approver_b, "A-1", "approve");

    REQUIRE(h.railway_rollbacks() == 1);
    auto requests = h.railway().requests();
    auto mutation = std::find_if(requests.begin(), requests.end(),
                                 [](const auto& r) { return contains(r.body, "deploymentRollback"); });
    REQUIRE(mutation != requests.end());
    CHECK(contains(mutation->body, std::string("\"") + railway_target + "\""));
    // Polled until the new deployment succeeded; the old live one is now REMOVED.
    CHECK(h.railway().deployment(railway_live)->status == "REMOVED");
    auto all = h.railway().deployments();
    CHECK(std::count_if(all.begin(), all.end(), [](const auto& d) { return d.status == "SUCCESS"; }) == 1);
    CHECK(h.health().request_count() == health_before + 1);

    CHECK(h.state_of("A-1") == "succeeded");
    auto final_message = h.message_of("A-1");
    REQUIRE(final_message);
    auto text = text_of(*final_message);
    CHECK(contains(text, "✅ 1."));
    CHECK(contains(text, "✅ 2."));
    CHECK(contains(text, "is healthy"));
    auto events = h.audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "step.succeeded") == 2);
    CHECK(has_event(events, "action.succeeded"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("rollback of the Railway API: a deploymentRollback Railway applied but a gateway answered 502 is sent once") {
    bot_harness h;
    h.command(requester, "/rollback", "api");
    REQUIRE(h.message_of("A-1"));
    const auto before = h.railway().deployments().size();
    // Railway creates the rollback deployment, then its gateway answers 502 (issue 12: today it is sent twice).
    h.railway().knobs().act_then_fail(502, {"POST", "deploymentRollback"});

    h.click(approver_b, "A-1", "approve");

    CHECK(h.railway().knobs().acted_then_failed() == 1);
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.railway().deployments().size() == before + 1);  // one rollback deployment, not two
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("a failed Vercel alias job fails the action, posts the runbook step to the incident channel, frees the lock") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    h.vercel().fail_next_alias_job();
    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel_mutations() == 1);
    CHECK(h.state_of("A-1") == "failed");
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "❌"));
    CHECK(contains(text_of(*message), "*Failed*"));
    auto in_thread = thread_posts(h, message->ts);
    REQUIRE(in_thread.size() == 1);
    CHECK(contains(text_of(in_thread[0]), "Failed"));
    CHECK(contains(text_of(in_thread[0]), "Runbook §5 (Vercel)"));

    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    auto incident = text_of(incidents[0]);
    CHECK(contains(incident, "A-1"));
    CHECK(contains(incident, "failed"));
    CHECK(contains(incident, "Runbook §5 (Vercel)"));
    CHECK(contains(incident, "Promote to Production"));

    auto events = h.audit_events("A-1");
    CHECK(in_order(events, {"step.started", "step.failed", "action.failed", "lock.released"}));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}

TEST_CASE("a Railway rollback deployment that ends FAILED fails the action and skips the health check") {
    bot_harness h;
    h.command(requester, "/rollback", "api");
    h.railway().fail_next_deploy();
    const auto health_before = h.health().request_count();
    h.click(approver_a, "A-1", "approve");

    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.health().request_count() == health_before);
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "❌ 1."));
    CHECK(contains(text_of(*message), "FAILED"));
    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), "Runbook §5 (Railway)"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}
