// Audit, fail-closed (issue 12 item 6): a step whose `step.started` entry cannot be written does not run, and a
// final state change that cannot be recorded is retried, then alarmed in the incident channel. The audit log is made
// to refuse one kind of entry by a trigger the test installs in the bot's database, as a full disk or a broken file
// would refuse them all, deterministically and without a hook in production code.
#include "tests/support/bot_harness.hpp"
#include "tests/support/text_files.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;

bool has_event(const std::vector<std::string>& events, const std::string& event) {
    return std::find(events.begin(), events.end(), event) != events.end();
}

/// From now on the bot's audit log refuses entries of `event` (another connection to the same file).
void refuse_audit_entries(const std::string& db_path, const std::string& event) {
    SQLite::Database sql(db_path, SQLite::OPEN_READWRITE);
    sql.exec("CREATE TRIGGER test_refuses_" + std::string(event == "step.started" ? "start" : "end") +
             " BEFORE INSERT ON audit_log WHEN NEW.event = '" + event +
             "' BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END");
}

std::string all_text(const std::vector<sim::recorded_message>& messages) {
    std::string out;
    for (const auto& m : messages) {
        out += text_of(m) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("a step whose step.started entry cannot be written does not run: the platform sees no rollback") {
    bot_harness h;
    h.command(requester, "/rollback", "api");
    REQUIRE(h.message_of("A-1"));
    const auto health_before = h.health().request_count();
    refuse_audit_entries(h.db_path(), "step.started");

    h.click(approver_a, "A-1", "approve");

    CHECK(h.railway_rollbacks() == 0);
    CHECK(h.health().request_count() == health_before);
    CHECK(h.state_of("A-1") == "failed");
    CHECK(h.active_locks() == 0);
    auto events = h.audit_events("A-1");
    CHECK_FALSE(has_event(events, "step.started"));
    CHECK_FALSE(has_event(events, "step.succeeded"));
    CHECK(has_event(events, "action.failed"));

    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "❌ 1."));
    CHECK(contains(text_of(*message), "not run: the audit log could not record its start"));
    const auto thread = all_text(messages_in(h.slack(), ops_channel, "chat.postMessage"));
    CHECK(contains(thread, "*Failed* — step 1 failed: its `step.started` audit entry could not be written"));
    CHECK(contains(thread, "so it was not run"));
    const auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), "failed"));
    CHECK(contains(text_of(incidents[0]), "could not be written"));
    CHECK(h.audit_ok());
}

TEST_CASE("a final state that cannot be recorded is retried, then alarmed in the incident channel") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    refuse_audit_entries(h.db_path(), "action.succeeded");

    h.click(approver_a, "A-1", "approve");

    CHECK(h.vercel_mutations() == 1);  // the step ran: its outcome is real, only its record is missing
    CHECK(h.state_of("A-1") == "running");
    const auto incidents = all_text(messages_in(h.slack(), incident_channel, "chat.postMessage"));
    CHECK(contains(incidents, "ended succeeded but opsbot could not record it"));
    CHECK(contains(incidents, "the final state change failed 4 times"));
    CHECK(contains(incidents, "Check the bot's database"));
    // The message no longer offers Stop for an action that is over, and says why it looks unfinished.
    auto message = h.message_of("A-1");
    REQUIRE(message);
    CHECK(contains(text_of(*message), "*Succeeded*"));
    CHECK(contains(text_of(*message), "could not record this outcome"));
    CHECK_FALSE(h.button("A-1", "stop"));
}
