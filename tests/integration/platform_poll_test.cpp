// Deployment polls are data, not threads (issue 13 item 3, docs/design.md "Actions and steps"): a rollback whose
// deployment has not settled stores its poll and lets its execution thread go, keeping its lock; the poll timer
// polls it until it settles. A restart resumes the stored poll (the platform is re-read, the rollback never sent
// again); Stop ends it at once; past the step's deadline it fails with a timeout.
#include "storage/poll_store.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

/// A deployment that settles only when the test says so (fake_railway::settle_deployments_at).
constexpr int never = 1'000'000;

/// The polls stored in the bot's database (a separate connection).
std::vector<storage::platform_poll> stored_polls(bot_harness& h) {
    storage::database db(h.db_path(), storage::open_mode::read_only);
    system_clock clk;
    storage::poll_store polls(db, clk);
    auto all = polls.all();
    REQUIRE(all);
    return *all;
}

/// `/rollback service`, posted (without settle: another action may be polling meanwhile).
void request_rollback(bot_harness& h, const std::string& service, const std::string& id) {
    h.slack().send_slash_command(requester, ops_channel, "/rollback", service);
    h.count_sent();
    REQUIRE(h.slack().wait_for([&] { return h.button(id, "approve").has_value(); }, 30s));
}

void approve_now(bot_harness& h, const std::string& id) {
    auto approve = h.button(id, "approve");
    REQUIRE(approve);
    h.click_now(approver_a, *approve);
}

/// /rollback api approved; returns once its deploymentRollback was sent and its poll is stored (polled at least
/// once when `polled`).
void rollback_api_until_polling(bot_harness& h, bool polled = true) {
    request_rollback(h, "api", "A-1");
    approve_now(h, "A-1");
    REQUIRE(eventually(
        [&] {
            auto polls = stored_polls(h);
            return polls.size() == 1 && (!polled || polls[0].polls >= 1);
        },
        30s));
    CHECK(h.railway_rollbacks() == 1);
    CHECK(h.state_of("A-1") == "running");
}

std::string thread_text(bot_harness& h, const std::string& id) {
    auto plan = h.message_of(id);
    REQUIRE(plan);
    std::string out;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == plan->ts) {
            out += text_of(m) + "\n";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("with one execution thread, a rollback polling its deployment leaves it free: another rollback runs meanwhile") {
    harness_options o;
    o.execution_threads = 1;
    o.railway_deploy_polls = never;
    bot_harness h(o);
    rollback_api_until_polling(h);
    CHECK(h.active_locks() == 1);  // the service is still being changed: its lock stays held while it polls

    // The only execution thread is free: /rollback web is approved and runs to its end while api still polls.
    request_rollback(h, "web", "A-2");
    approve_now(h, "A-2");
    REQUIRE(eventually([&] { return h.state_of("A-2") == "succeeded"; }, 30s));
    CHECK(h.vercel_mutations() == 1);
    CHECK(h.state_of("A-1") == "running");
    CHECK(stored_polls(h).size() == 1);
    CHECK(h.active_locks() == 1);

    h.railway().settle_deployments_at(1);
    h.settle();  // waits for the stored poll too
    CHECK(h.state_of("A-1") == "succeeded");
    CHECK(h.railway_rollbacks() == 1);
    CHECK(stored_polls(h).empty());
    CHECK(h.active_locks() == 0);
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "is live (SUCCESS after"));
    CHECK(h.audit_ok());
}

TEST_CASE("restart while a rollback polls: the new process re-reads the platform and finishes it, never re-sending it") {
    harness_options o;
    o.railway_deploy_polls = never;
    // No shutdown grace: the stop leaves the unsettled poll stored at once (with one, the stop would poll it for the
    // grace first, bot/runtime.cpp); the new process resumes it.
    o.configure = [](stack_config& c) { c.shutdown_grace = std::chrono::seconds{0}; };
    bot_harness h(o);
    rollback_api_until_polling(h);

    h.restart([&] { h.railway().settle_deployments_at(1); });
    h.settle();
    CHECK(h.state_of("A-1") == "succeeded");  // resumed, not reported interrupted
    CHECK(h.railway_rollbacks() == 1);        // the acting request went out once, before the restart
    CHECK(stored_polls(h).empty());
    CHECK(h.active_locks() == 0);
    CHECK(contains(thread_text(h, "A-1"), "goes on waiting for the platform"));
    auto events = h.audit_events("A-1");
    CHECK(std::find(events.begin(), events.end(), "action.interrupted") == events.end());
    CHECK(std::count(events.begin(), events.end(), "step.succeeded") == 2);  // the rollback, then the health check
    CHECK(h.audit_ok());
}

TEST_CASE("Stop while a rollback polls its deployment: stopped at once, the poll gone, its lock freed, nothing after it") {
    harness_options o;
    o.railway_deploy_polls = never;
    bot_harness h(o);
    rollback_api_until_polling(h);
    auto stop = h.button("A-1", "stop");
    REQUIRE(stop);
    h.click_now(requester, *stop);
    REQUIRE(eventually([&] { return h.state_of("A-1") == "stopped"; }, 30s));
    h.settle();
    CHECK(stored_polls(h).empty());
    CHECK(h.active_locks() == 0);
    CHECK(h.health().request_count() == 0);  // the health check after it did not run
    CHECK(h.railway_rollbacks() == 1);
    bool told = false;
    for (const auto& m : h.ephemerals_for(requester)) {
        told = told || contains(text_of(m), "its wait for the platform ends now");
    }
    CHECK(told);
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "*Stopped*"));
    CHECK(contains(text_of(*message), "while it waited for the platform"));
    auto events = h.audit_events("A-1");
    CHECK(std::find(events.begin(), events.end(), "step.stopped") != events.end());
    CHECK(std::find(events.begin(), events.end(), "action.stopped") != events.end());
    CHECK(h.audit_ok());
}

TEST_CASE("a rollback whose deployment has not settled by the step's deadline fails with a timeout, its poll gone") {
    harness_options o;
    o.manual_time = true;  // the deadline is on the bot's clock; the polls are paced in real time
    o.railway_deploy_polls = never;
    bot_harness h(o);
    rollback_api_until_polling(h);
    const auto polls_before = stored_polls(h).at(0).polls;
    h.clock().advance(std::chrono::hours{1});  // past railway.rollback's timeout
    REQUIRE(eventually([&] { return h.state_of("A-1") == "failed"; }, 30s));
    h.settle();
    CHECK(stored_polls(h).empty());
    CHECK(h.active_locks() == 0);
    CHECK(h.health().request_count() == 0);
    CHECK(h.railway_rollbacks() == 1);
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "railway.rollback: not finished after"));
    CHECK(polls_before >= 1);
    CHECK(h.audit_ok());
}
