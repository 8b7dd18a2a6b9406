// `/deploy unlock` as the emergency path (issue 12 item 8): an approver of /deploy may clear another person's freeze
// or a lock whose owner is gone, audited with who and whose lock; anyone else still cannot unlock another's lock.
#include "tests/support/bot_harness.hpp"

#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;

harness_options deploy_approvers() {
    harness_options o;
    o.configure = [](stack_config& c) { c.policies["deploy"].approve = "approvers"; };
    return o;
}

/// The reply `user` got (via response_url) to the last command.
std::string last_reply(bot_harness& h) {
    auto replies = h.slack().messages("response_url");
    REQUIRE_FALSE(replies.empty());
    return text_of(replies.back());
}

storage::audit_entry newest_entry(const std::string& db_path) {
    storage::database db(db_path, storage::open_mode::read_only);
    system_clock clk;
    storage::audit_log audit(db, clk);
    auto tail = audit.tail(1);
    REQUIRE(tail);
    REQUIRE(tail->size() == 1);
    return tail->front();
}

}  // namespace

TEST_CASE("another person's freeze: a non-approver cannot unlock it, an approver of /deploy can (audited)") {
    bot_harness h(deploy_approvers());
    h.command(requester, "/deploy", "lock web production \"hold for the launch\"");
    REQUIRE(h.active_locks() == 1);

    h.command(non_approver, "/deploy", "unlock web production");
    CHECK(contains(last_reply(h), "locked by U01, not by U04"));
    CHECK(contains(last_reply(h), "Nothing was changed"));
    CHECK(h.active_locks() == 1);

    h.command(approver_b, "/deploy", "unlock web production");
    CHECK(contains(last_reply(h), "unlocked by <@U03>"));
    CHECK(contains(last_reply(h), "it was <@U01>'s lock: hold for the launch"));
    CHECK(h.active_locks() == 0);
    auto entry = newest_entry(h.db_path());
    CHECK(entry.event == "lock.released_by_approver");
    CHECK(entry.actor == approver_b);
    CHECK(contains(entry.detail_json, "\"owner\":\"U01\""));
    CHECK(h.audit_ok());
}

TEST_CASE("a lock whose action is gone: an approver of /deploy unlocks it, a non-approver cannot") {
    bot_harness h(deploy_approvers());
    {
        // What a crash can leave: a lock owned by an action that is not running (here: none at all).
        storage::database db(h.db_path());
        system_clock clk;
        storage::lock_store locks(db, clk);
        REQUIRE(locks.claim("api", "production", "A-41", "Roll back api (production)",
                            clk.now() + std::chrono::hours{2}));
    }
    h.command(non_approver, "/deploy", "unlock api production");
    CHECK(contains(last_reply(h), "locked by A-41"));
    CHECK(h.active_locks() == 1);

    h.command(approver_a, "/deploy", "unlock api production");
    CHECK(contains(last_reply(h), "it was A-41's lock"));
    CHECK(h.active_locks() == 0);
    auto entry = newest_entry(h.db_path());
    CHECK(entry.event == "lock.released_by_approver");
    CHECK(entry.actor == approver_a);
    CHECK(contains(entry.detail_json, "\"owner\":\"A-41\""));
    CHECK(contains(entry.detail_json, "no such action"));
}
