// The audit head, published where the database's owner cannot rewrite it (issue 12 item 6): each action's final
// message ends with `audit #SEQ HASH12`, and at start and once a day (the injected clock) the head and the command
// that checks it go to slack.audit_channel (or the incident channel). `opsbot audit verify --head` then proves the
// log still reaches that head; a copy with its last entries deleted (as the file's owner could) fails it.
#include "tests/support/bot_harness.hpp"

#include "storage/audit_cli.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/text_files.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <regex>
#include <sstream>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

struct head_seen {
    std::int64_t seq = 0;
    std::string hash;  ///< as shown: 12 hex digits, or the full hash in the daily post's command
};

/// The last "audit #SEQ HASH" in `text`.
std::optional<head_seen> head_in(const std::string& text) {
    static const std::regex shown(R"(audit #(\d+) ([0-9a-f]{12})\b)");
    std::optional<head_seen> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), shown); it != std::sregex_iterator(); ++it) {
        out = head_seen{std::stoll((*it)[1].str()), (*it)[2].str()};
    }
    return out;
}

/// A consistent copy of the bot's database while it runs (VACUUM INTO reads one snapshot).
std::string copy_of(const bot_harness& h, const std::string& name) {
    const std::string copy = (std::filesystem::path(h.db_path()).parent_path() / name).string();
    SQLite::Database sql(h.db_path(), SQLite::OPEN_READONLY);
    sql.exec("VACUUM INTO '" + copy + "'");
    return copy;
}

/// `opsbot audit verify --db DB [--head HEAD]` ("" = no --head).
int verify(const std::string& db, const std::string& head, std::string& output) {
    std::optional<storage::audit_anchor> anchor;
    if (!head.empty()) {
        auto parsed = storage::parse_audit_anchor(head);
        REQUIRE(parsed);
        anchor = *parsed;
    }
    std::ostringstream out;
    int code = storage::audit_verify_command(db, anchor, out);
    output = out.str();
    return code;
}

/// What the owner of the file can do: drop the append-only trigger and delete the newest entries from `from` on.
void cut_from(const std::string& db, std::int64_t from) {
    SQLite::Database sql(db, SQLite::OPEN_READWRITE);
    sql.exec("DROP TRIGGER audit_log_no_delete");
    sql.exec("DELETE FROM audit_log WHERE seq >= " + std::to_string(from));
}

std::vector<sim::recorded_message> posts_in(bot_harness& h, const std::string& channel) {
    return messages_in(h.slack(), channel, "chat.postMessage");
}

}  // namespace

TEST_CASE("an action's final message and outcome end with the audit head, which verifies, and fails once cut off") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    REQUIRE(h.state_of("A-1") == "succeeded");

    auto message = h.message_of("A-1");
    REQUIRE(message);
    auto in_message = head_in(text_of(*message));
    REQUIRE(in_message);
    std::optional<head_seen> in_thread;
    for (const auto& m : posts_in(h, ops_channel)) {
        if (m.thread_ts == message->ts && contains(text_of(m), "*Succeeded*")) {
            in_thread = head_in(text_of(m));
        }
    }
    REQUIRE(in_thread);
    const std::string copy = copy_of(h, "copy.db");
    {
        // The head is taken after the action's last entry (action.succeeded and the lock release with it).
        storage::database db(copy, storage::open_mode::read_only);
        system_clock clk;
        storage::audit_log audit(db, clk);
        auto entries = audit.for_action(action_id{"A-1"});
        REQUIRE(entries);
        REQUIRE_FALSE(entries->empty());
        CHECK(entries->back().event == "lock.released");
        CHECK(in_message->seq >= entries->back().seq);
        CHECK(in_thread->seq >= entries->back().seq);
    }
    std::string out;
    const std::string anchor = std::to_string(in_thread->seq) + ":" + in_thread->hash;
    CHECK(verify(copy, anchor, out) == 0);
    CHECK(contains(out, "it holds the published head #" + std::to_string(in_thread->seq)));
    CHECK(verify(copy, std::to_string(in_message->seq) + ":" + in_message->hash, out) == 0);

    // The last entries deleted: the chain alone still checks out, the published head does not.
    cut_from(copy, in_thread->seq - 1);
    CHECK(verify(copy, "", out) == 0);
    CHECK(verify(copy, anchor, out) == 1);
    CHECK(contains(out, fmt::format("the log ends at entry {}: entries {} to {} are missing", in_thread->seq - 2,
                                    in_thread->seq - 1, in_thread->seq)));
}

TEST_CASE("the audit head is posted at start and once a day by the injected clock, with the command to check it") {
    harness_options o;
    o.manual_time = true;
    bot_harness h(o);
    h.settle();
    CHECK(posts_in(h, audit_channel).empty());  // an empty log has no head to publish
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    REQUIRE(h.state_of("A-1") == "succeeded");

    h.restart();
    REQUIRE(h.slack().wait_for([&] { return posts_in(h, audit_channel).size() == 1; }, 30s));
    const auto first = text_of(posts_in(h, audit_channel)[0]);
    CHECK(contains(first, "audit head #"));
    static const std::regex command(R"(opsbot audit verify --db (\S+) --head (\d+):([0-9a-f]{64}))");
    std::smatch found;
    REQUIRE(std::regex_search(first, found, command));
    CHECK(found[1].str() == h.db_path());
    std::string out;
    CHECK(verify(copy_of(h, "start.db"), found[2].str() + ":" + found[3].str(), out) == 0);
    CHECK(posts_in(h, incident_channel).size() == 1);  // the rollback's notice only: the head has its own channel

    h.tick_audit_head();  // not a day yet
    h.clock().advance(23h);
    h.tick_audit_head();
    CHECK(posts_in(h, audit_channel).size() == 1);
    h.clock().advance(1h);
    h.tick_audit_head();
    CHECK(posts_in(h, audit_channel).size() == 2);
    h.tick_audit_head();
    CHECK(posts_in(h, audit_channel).size() == 2);
}

TEST_CASE("without slack.audit_channel the head goes to the incident channel") {
    harness_options o;
    o.configure = [](stack_config& c) { c.slack.audit_channel.clear(); };
    bot_harness h(o);
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    const auto before = posts_in(h, incident_channel).size();
    h.restart();
    REQUIRE(h.slack().wait_for([&] { return posts_in(h, incident_channel).size() == before + 1; }, 30s));
    CHECK(contains(text_of(posts_in(h, incident_channel).back()), "audit head #"));
    CHECK(posts_in(h, audit_channel).empty());
}
