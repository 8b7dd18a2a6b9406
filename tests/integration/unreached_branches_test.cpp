// Branches of the executor no other test reached (issue 16 item 5): a re-plan that fails before anything runs, and a
// state change the storage refuses. The whole bot against the fakes; the storage is made to refuse by a trigger the
// test installs in the bot's database (as audit_fail_closed_test does), with no hook in production code.
#include "adapters/http_client.hpp"
#include "adapters/vercel.hpp"
#include "tests/support/bot_harness.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <algorithm>

namespace {

using namespace opsbot;
using namespace opsbot::testing;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

bool has_event(const std::vector<std::string>& events, const std::string& event) {
    return std::find(events.begin(), events.end(), event) != events.end();
}

std::string all_text(const std::vector<sim::recorded_message>& messages) {
    std::string out;
    for (const auto& m : messages) {
        out += text_of(m) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("a re-plan that fails before running: nothing runs, the action fails saying why, no lock is left") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    // Right before it runs, the approved plan is planned again (bot/actions/replan.cpp): Vercel now refuses the read.
    h.vercel().knobs().fail_next(403, R"({"error":{"code":"forbidden","message":"Not authorized"}})");

    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel_mutations() == 0);
    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.active_locks() == 0);
    const auto events = h.audit_events("A-1");
    CHECK_FALSE(has_event(events, "action.running"));
    CHECK_FALSE(has_event(events, "step.started"));
    const auto thread = all_text(messages_in(h.slack(), ops_channel, "chat.postMessage"));
    CHECK(contains(thread, "Not run: could not re-check the plan"));
    CHECK(contains(thread, "forbidden"));
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK_FALSE(h.button("A-1", "approve"));
    CHECK(h.audit_ok());
}

TEST_CASE("a start the storage refuses to record: nothing runs, the lock is freed, the thread says nothing changed") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    {
        SQLite::Database sql(h.db_path(), SQLite::OPEN_READWRITE);
        sql.exec("CREATE TRIGGER test_refuses_running BEFORE UPDATE OF state ON actions WHEN NEW.state = 'running' "
                 "BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END");
    }

    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel_mutations() == 0);
    CHECK(h.state_of("A-1") == "approved");  // reported as interrupted by the next start (execute.cpp)
    CHECK(h.active_locks() == 0);
    CHECK_FALSE(has_event(h.audit_events("A-1"), "step.started"));
    const auto thread = all_text(messages_in(h.slack(), ops_channel, "chat.postMessage"));
    CHECK(contains(thread, "Not run: opsbot could not record that it starts"));
    CHECK(contains(thread, "Nothing was changed."));
    CHECK(h.audit_ok());
}

TEST_CASE("a Vercel rollback refused because another alias job runs: the action fails naming the conflict, sent once") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    // Someone promotes by hand meanwhile: Vercel runs one alias job per project at a time (docs/platforms.md §1.3).
    {
        service_config web;
        web.name = "web";
        web.platform = platform_kind::vercel;
        web.api_url = h.vercel().base_url();
        web.project_id = h.vercel().settings().project_id;
        web.team_id = h.vercel().settings().team_id;
        auto http = adapters::make_http_client();
        REQUIRE(adapters::make_vercel_platform(web, h.vercel().settings().token, *http)->request_promote(vercel_live));
    }
    const auto posts_before = h.vercel().count("POST", "/v1/projects/");

    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel().count("POST", "/v1/projects/") == posts_before + 1);  // refused once, never resent
    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.active_locks() == 0);
    const auto thread = all_text(messages_in(h.slack(), ops_channel, "chat.postMessage"));
    CHECK(contains(thread, "already in progress"));
    CHECK(h.vercel().deployment(vercel_target)->ready_substate.empty());  // production did not move to the target
    CHECK(h.audit_ok());
}
