#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

#include "core/redactor.hpp"
#include "fixture.hpp"
#include "storage/canonical_json.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

void append_n(testing::stores& s, int n) {
    for (int i = 1; i <= n; ++i) {
        auto e = s.audit.append({"U0" + std::to_string(i % 3), action_id{"A-" + std::to_string(i)}, "step.started",
                                 {{"n", i}, {"note", "entry " + std::to_string(i)}}});
        REQUIRE(e);
        s.clock.advance(1s);
    }
}

// Flips one character of entry `seq`'s detail the way an attacker with sqlite3 would: drop the guard first.
void tamper_detail(testing::stores& s, int seq) {
    s.drop_trigger("audit_log_no_update", "audit_log");
    s.raw("UPDATE audit_log SET detail = replace(detail, 'entry', 'entrz') WHERE seq = " + std::to_string(seq));
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Everything the database at `where` keeps: the file and its WAL on SQLite; every row of the bot's tables, as
/// PostgreSQL prints them, on PostgreSQL (its files are the server's).
std::string stored_bytes(const std::string& where) {
    if (!testing::on_postgres()) {
        return file_bytes(where) + file_bytes(where + "-wal");
    }
    auto db = testing::open_test_database(where);
    auto session = db->acquire();
    std::string out;
    for (const char* table : {"actions", "approvals", "audit_log", "locks", "watches", "break_glass"}) {
        sql::statement rows(session.sql(), std::string("SELECT t::text FROM ") + table + " t");
        while (rows.step()) {
            out += rows.column(0).as_string() + '\n';
        }
    }
    return out;
}

}  // namespace

TEST_CASE("entries chain from 64 zeros, each hash over the previous one") {
    testing::stores s;
    append_n(s, 20);
    auto entries = s.audit.entries();
    REQUIRE(entries->size() == 20);
    CHECK((*entries)[0].seq == 1);
    CHECK((*entries)[0].prev_hash == audit_genesis_hash);
    for (size_t i = 1; i < entries->size(); ++i) {
        CHECK((*entries)[i].seq == static_cast<std::int64_t>(i + 1));
        CHECK((*entries)[i].prev_hash == (*entries)[i - 1].hash);
    }
    // The documented preimage, recomputed here by hand for one entry.
    const auto& e = (*entries)[4];
    boost::json::array preimage{e.seq, e.time, e.actor, e.action->str(), e.event, boost::json::parse(e.detail_json),
                                e.prev_hash};
    CHECK(sha256_hex(canonical_json(preimage)) == e.hash);
    CHECK(e.time == "2026-09-21T14:13:24.000Z");  // 1790000004 s after the epoch (manual_clock start + 4 s)
    CHECK(e.detail_json == R"({"n":5,"note":"entry 5"})");

    auto report = s.audit.verify();
    REQUIRE(report);
    CHECK(report->ok());
    CHECK(report->entries == 20);
    CHECK(report->head_hash == entries->back().hash);
}

TEST_CASE("an empty log verifies with the genesis head") {
    testing::stores s;
    auto report = s.audit.verify();
    CHECK(report->ok());
    CHECK(report->entries == 0);
    CHECK(report->head_hash == audit_genesis_hash);
}

TEST_CASE("UPDATE and DELETE of audit entries are refused") {
    testing::stores s;
    action_id id = s.request();
    REQUIRE(s.approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest-1", {user_id{"U02"}}));
    append_n(s, 3);
    CHECK_THROWS_WITH(s.raw("UPDATE audit_log SET actor = 'U99' WHERE seq = 2"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(s.raw("DELETE FROM audit_log WHERE seq = 3"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(s.raw("UPDATE approvals SET user_id = 'U99'"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(s.raw("DELETE FROM approvals"), Catch::Contains("append-only"));
    CHECK(s.audit.verify()->entries == 6);  // requested, approved (decision), approved (state), 3 appended
    CHECK(s.approvals.decisions(id)->front().user == user_id{"U02"});
}

TEST_CASE("tampering with one byte is found and the entry named") {
    testing::stores s;
    append_n(s, 20);
    tamper_detail(s, 7);
    auto report = s.audit.verify();
    REQUIRE(report);
    REQUIRE_FALSE(report->ok());
    CHECK(*report->broken_seq == 7);
    CHECK(report->reason.find("hash mismatch (stored ") != std::string::npos);
    CHECK(report->entries == 6);
}

TEST_CASE("other kinds of tampering are found too") {
    testing::stores s;
    append_n(s, 10);
    s.drop_trigger("audit_log_no_update", "audit_log");
    s.drop_trigger("audit_log_no_delete", "audit_log");

    SECTION("a deleted entry") {
        s.raw("DELETE FROM audit_log WHERE seq = 4");
        CHECK(*s.audit.verify()->broken_seq == 5);
    }
    SECTION("an edited hash") {
        s.raw("UPDATE audit_log SET hash = '" + std::string(64, 'a') + "' WHERE seq = 3");
        CHECK(*s.audit.verify()->broken_seq == 3);
    }
    SECTION("an edited actor") {
        s.raw("UPDATE audit_log SET actor = 'U99' WHERE seq = 6");
        CHECK(*s.audit.verify()->broken_seq == 6);
    }
    SECTION("an entry edited and re-hashed breaks the link to the next") {
        auto entries = s.audit.entries();
        const auto& e = (*entries)[5];
        boost::json::array preimage{
            e.seq, e.time, "U99", e.action->str(), e.event, boost::json::parse(e.detail_json), e.prev_hash};
        std::string rehashed = sha256_hex(canonical_json(preimage));
        s.raw("UPDATE audit_log SET actor = 'U99', hash = '" + rehashed + "' WHERE seq = 6");
        auto report = s.audit.verify();
        CHECK(*report->broken_seq == 7);
        CHECK(report->reason.find("prev_hash") != std::string::npos);
    }
    SECTION("a detail edited to non-canonical whitespace") {
        s.raw("UPDATE audit_log SET detail = '{\"n\": 2,\"note\":\"entry 2\"}' WHERE seq = 2");
        auto report = s.audit.verify();
        CHECK(*report->broken_seq == 2);
        CHECK(report->reason.find("canonical") != std::string::npos);
    }
    SECTION("a changed time") {
        s.raw("UPDATE audit_log SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 9");
        CHECK(*s.audit.verify()->broken_seq == 9);
    }
}

TEST_CASE("appending after a restart continues the chain") {
    testing::temp_db_path path;
    {
        testing::stores s(path.str());
        append_n(s, 3);
    }
    testing::stores s(path.str());
    append_n(s, 2);
    auto report = s.audit.verify();
    CHECK(report->ok());
    CHECK(report->entries == 5);
}

TEST_CASE("export writes JSON lines, optionally since a time") {
    testing::stores s;
    auto start = s.clock.now();
    append_n(s, 5);
    std::ostringstream all;
    CHECK(*s.audit.export_jsonl(all) == 5);
    std::istringstream lines(all.str());
    std::string line;
    std::int64_t seq = 0;
    while (std::getline(lines, line)) {
        auto v = boost::json::parse(line).as_object();
        CHECK(v.at("seq").as_int64() == ++seq);
        CHECK(v.at("detail").as_object().at("n").as_int64() == seq);
        CHECK(v.contains("time"));
        CHECK(v.contains("actor"));
        CHECK(v.at("action_id").as_string() == "A-" + std::to_string(seq));
        CHECK(v.at("event").as_string() == "step.started");
        CHECK(v.at("hash").as_string().size() == 64);
    }
    CHECK(seq == 5);

    std::ostringstream recent;
    CHECK(*s.audit.export_jsonl(recent, start + 3s) == 2);  // entries at +3 s and +4 s
    CHECK(recent.str().find("\"seq\":4") != std::string::npos);
    CHECK(recent.str().find("\"seq\":3") == std::string::npos);
}

TEST_CASE("tail and for_action select entries") {
    testing::stores s;
    append_n(s, 6);
    auto last = s.audit.tail(2);
    REQUIRE(last->size() == 2);
    CHECK(last->front().seq == 5);
    auto one = s.audit.for_action(action_id{"A-3"});
    REQUIRE(one->size() == 1);
    CHECK(one->front().seq == 3);
}

TEST_CASE("a registered secret never reaches the database") {
    testing::temp_db_path path;
    const std::string secret = "pg-password-Zq8uTt3vXw";
    global_redactor().add_secret(secret, "DATABASE_URL");
    {
        testing::stores s(path.str());
        auto e = s.audit.append({"U01", std::nullopt, "step.finished",
                                 {{"output", "connecting with " + secret},
                                  {"nested", {{"argv", boost::json::array{"psql", secret}}}},
                                  {secret, "as a key"},
                                  {"token", "xoxb-1234567890-abcdefghij"}}});
        REQUIRE(e);
        CHECK(e->detail_json.find(secret) == std::string::npos);
        CHECK(e->detail_json.find("[redacted:DATABASE_URL]") != std::string::npos);
        new_action a;
        a.family = "migrate";
        a.subject = "migrate production " + secret;
        a.requester = user_id{"U01"};
        a.channel = channel_id{"C01"};
        a.plan_json = R"({"env":")" + secret + R"("})";
        a.plan_digest = "d";
        a.expires_at = s.clock.now() + 1min;
        REQUIRE(s.actions.create(a));
        CHECK(s.audit.verify()->ok());
    }
    global_redactor().remove_secret(secret);
    std::string bytes = stored_bytes(path.str());
    REQUIRE(bytes.find("step.finished") != std::string::npos);  // we are reading the right database
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find("xoxb-1234567890") == std::string::npos);
}

TEST_CASE("a detail holding a number Boost.JSON reads back one unit off still verifies (found by fuzz)") {
    // Boost.JSON 1.81 reads "2.2E39" (the canonical text of 2.2e39) as 2.1999999999999998e39: verify re-parses the
    // stored detail, so an entry stored as plain canonical text was reported "not in canonical form" (a false alarm).
    testing::stores s;
    append_n(s, 2);
    REQUIRE(s.audit.append({"U01", std::nullopt, "watch.checked", {{"ratio", 2.2e39}, {"n", 3}}}));
    append_n(s, 1);
    auto report = s.audit.verify();
    REQUIRE(report);
    CHECK(report->ok());
    CHECK(report->reason.empty());
    CHECK(report->entries == 4);
}
