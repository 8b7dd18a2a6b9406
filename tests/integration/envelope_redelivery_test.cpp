// A redelivery after a restart is not handled twice (issue 16 item 6, docs/design.md "Runtime model"): the Socket Mode
// client's dedupe is in memory and starts empty, so the worker that takes a command or a click checks its keys in the
// database (storage/seen_envelopes), which the new process shares with the old one.
#include "tests/support/bot_harness.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;

/// Rows of seen_envelopes in the bot's file, read on a connection of the test's own.
int seen_rows(const std::string& db_path) {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM seen_envelopes").getInt();
}

}  // namespace

TEST_CASE("a slash command redelivered after a restart does not request a second action") {
    bot_harness h;
    const std::string request = h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));

    h.restart();
    REQUIRE(h.slack().resend_envelope(request));
    h.count_sent();
    h.settle();
    // Acknowledged again, as Slack requires (the simulator reads acks on its own thread: waited for).
    CHECK(h.slack().wait_for([&] { return h.slack().acks_for(request).size() == 2; }, 10s));
    CHECK(h.state_of("A-2").starts_with("missing"));
    CHECK(h.state_of("A-1") == "awaiting_approval");

    // A new command is still handled: only what was seen is dropped.
    h.command(requester, "/rollback", "api");
    CHECK(h.message_of("A-2"));
    CHECK(h.state_of("A-2") == "awaiting_approval");
}

TEST_CASE("an Approve click redelivered after a restart is not handled twice") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    const std::string click = h.click(approver_a, "A-1", "approve");
    REQUIRE(h.state_of("A-1") == "succeeded");
    REQUIRE(h.vercel_mutations() == 1);
    const auto events = h.audit_events("A-1");
    const auto told = h.ephemerals_for(approver_a).size();

    h.restart();
    REQUIRE(h.slack().resend_envelope(click));
    h.count_sent();
    h.settle();
    CHECK(h.slack().wait_for([&] { return h.slack().acks_for(click).size() == 2; }, 10s));
    // Handled twice, the click would be refused ("already succeeded") in an ephemeral reply; it was not handled.
    CHECK(h.ephemerals_for(approver_a).size() == told);
    CHECK(h.audit_events("A-1") == events);
    CHECK(h.vercel_mutations() == 1);
}

TEST_CASE("the envelope ids kept in the database are forgotten an hour after they were seen") {
    harness_options options;
    options.manual_time = true;
    options.expiry_sweep_interval = 1s;  // the sweep that also forgets old envelope ids
    bot_harness h(options);
    h.command(requester, "/rollback", "web");
    REQUIRE(seen_rows(h.db_path()) == 1);  // its envelope id (a slash command has no event or click key)
    h.clock().advance(61min);
    CHECK(eventually([&] { return seen_rows(h.db_path()) == 0; }, 10s));
}
