#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "fixture.hpp"
#include "storage/audit_cli.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

// A database file with `n` entries, one second apart, starting at the manual clock's epoch.
void fill(const std::string& path, int n) {
    testing::stores s(path);
    for (int i = 1; i <= n; ++i) {
        boost::json::object detail{{"i", i}, {"text", "entry " + std::to_string(i)}};
        REQUIRE(s.audit.append({"U01", std::nullopt, "test.event", detail}));
        s.clock.advance(1s);
    }
}

}  // namespace

TEST_CASE("audit verify: OK with the count and head") {
    testing::temp_db_path path;
    fill(path.str(), 12);
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), std::nullopt, out) == 0);
    std::string head;
    {
        testing::stores s(path.str());
        head = s.audit.verify()->head_hash;
    }
    CHECK(out.str() == "audit log OK: 12 entries, head #12 " + head + "\n");
}

TEST_CASE("audit verify: exit 1 naming the first broken entry") {
    testing::temp_db_path path;
    fill(path.str(), 12);
    {
        testing::stores s(path.str());
        s.drop_trigger("audit_log_no_update", "audit_log");
        s.raw("UPDATE audit_log SET detail = replace(detail, 'entry 9', 'entry 8') WHERE seq = 9");
        s.raw("UPDATE audit_log SET detail = replace(detail, 'entry 11', 'entry 10') WHERE seq = 11");
    }
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), std::nullopt, out) == 1);
    CHECK_THAT(out.str(), Catch::StartsWith("audit entry 9 is broken: hash mismatch (stored "));
}

TEST_CASE("audit verify and export: a missing file is exit 2 and is not created") {
    testing::temp_db_path path;
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), std::nullopt, out) == 2);
    CHECK_THAT(out.str(), Catch::Contains("no such database file"));
    std::ostringstream out2;
    CHECK(audit_export_command(path.str(), std::nullopt, out2) == 2);
    CHECK_FALSE(std::filesystem::exists(path.str()));
}

TEST_CASE("audit verify: a database from a newer opsbot is exit 2 with the upgrade message") {
    testing::temp_db_path path;
    fill(path.str(), 1);
    {
        testing::stores s(path.str());
        s.raw("INSERT INTO schema_version (version, description) VALUES (999, 'future')");
    }
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), std::nullopt, out) == 2);
    CHECK_THAT(out.str(), Catch::Contains("schema version 999") && Catch::Contains("upgrade opsbot"));
}

TEST_CASE("audit export: JSON lines, all or since a time") {
    testing::temp_db_path path;
    fill(path.str(), 5);
    std::ostringstream all;
    CHECK(audit_export_command(path.str(), std::nullopt, all) == 0);
    std::istringstream lines(all.str());
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        auto v = boost::json::parse(line).as_object();
        ++n;
        CHECK(v.at("seq").as_int64() == n);
        CHECK(v.at("action_id").is_null());
        CHECK(v.at("detail").at("i").as_int64() == n);
        for (const char* key : {"time", "actor", "event", "hash"}) {
            CHECK(v.at(key).is_string());
        }
    }
    CHECK(n == 5);

    // Entries are at 14:13:20, :21, … :24 UTC on 2026-09-21 (manual_clock's start); "+02:00" is two hours ahead.
    std::ostringstream since;
    CHECK(audit_export_command(path.str(), "2026-09-21T16:13:22+02:00", since) == 0);
    std::string text = since.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
    CHECK_THAT(text, Catch::StartsWith("{\"seq\":3,"));

    std::ostringstream none;
    CHECK(audit_export_command(path.str(), "2026-09-22", none) == 0);
    CHECK(none.str().empty());
}

TEST_CASE("audit export: a malformed --since is exit 2 with a clear message") {
    testing::temp_db_path path;
    fill(path.str(), 1);
    for (const char* bad : {"yesterday", "2026-13-01", "2026-09-21T25:00Z", "2026-09-21T12:00", ""}) {
        INFO(bad);
        std::ostringstream out;
        CHECK(audit_export_command(path.str(), std::string(bad), out) == 2);
        CHECK_THAT(out.str(), Catch::StartsWith("--since: ") && Catch::Contains("ISO-8601"));
    }
}

namespace {

std::string hash_of(const std::string& path, std::int64_t seq) {
    testing::stores s(path);
    auto entries = s.audit.entries();
    REQUIRE(entries);
    REQUIRE(static_cast<std::int64_t>(entries->size()) >= seq);
    return (*entries)[static_cast<std::size_t>(seq - 1)].hash;
}

/// What someone owning the file can do: drop the append-only trigger and delete the newest entries.
void cut_after(const std::string& path, std::int64_t keep) {
    testing::stores s(path);
    s.drop_trigger("audit_log_no_delete", "audit_log");
    s.raw("DELETE FROM audit_log WHERE seq > " + std::to_string(keep));
}

int verify_against(const std::string& path, const std::string& head, std::string& output) {
    auto anchor = parse_audit_anchor(head);
    REQUIRE(anchor);
    std::ostringstream out;
    int code = audit_verify_command(path, *anchor, out);
    output = out.str();
    return code;
}

}  // namespace

TEST_CASE("audit verify --head: the log holds the published head (full hash or a 12-digit prefix)") {
    testing::temp_db_path path;
    fill(path.str(), 12);
    const std::string h9 = hash_of(path.str(), 9);
    const std::string h12 = hash_of(path.str(), 12);
    std::string out;
    CHECK(verify_against(path.str(), "9:" + h9, out) == 0);
    CHECK(out == "audit log OK: 12 entries, head #12 " + h12 + "; it holds the published head #9 " + h9 + "\n");
    // A prefix of 12 hex digits, in either case, is enough.
    std::string upper = h9.substr(0, 12);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    CHECK(verify_against(path.str(), "9:" + upper, out) == 0);
}

TEST_CASE("audit verify --head: a log with its last entries deleted passes alone but fails against the head") {
    testing::temp_db_path path;
    fill(path.str(), 12);
    const std::string published = "12:" + hash_of(path.str(), 12);
    const std::string h9 = hash_of(path.str(), 9);
    cut_after(path.str(), 9);

    std::ostringstream plain;
    CHECK(audit_verify_command(path.str(), std::nullopt, plain) == 0);  // the chain alone cannot see it
    CHECK(plain.str() == "audit log OK: 9 entries, head #9 " + h9 + "\n");

    std::string out;
    CHECK(verify_against(path.str(), published, out) == 1);
    CHECK_THAT(out, Catch::Contains("the log ends at entry 9: entries 10 to 12 are missing (cut off?)"));
    CHECK_THAT(out, Catch::EndsWith("found: 9 entries, head #9 " + h9 + "\n"));
}

TEST_CASE("audit verify --head: a log rewritten from the head on, with a sound new chain, fails against it") {
    testing::temp_db_path path;
    fill(path.str(), 6);
    const std::string h5 = hash_of(path.str(), 5);
    cut_after(path.str(), 4);
    {
        testing::stores s(path.str());
        s.clock.advance(std::chrono::hours{1});
        for (int i = 5; i <= 6; ++i) {
            REQUIRE(s.audit.append({"U09", std::nullopt, "test.event", {{"i", i}, {"text", "rewritten"}}}));
        }
    }
    std::ostringstream plain;
    CHECK(audit_verify_command(path.str(), std::nullopt, plain) == 0);
    std::string out;
    CHECK(verify_against(path.str(), "5:" + h5, out) == 1);
    CHECK_THAT(out, Catch::Contains("entry 5 has hash " + hash_of(path.str(), 5).substr(0, 16) + ", not the head's " +
                                    h5.substr(0, 16) + " (the log was rewritten)"));
    CHECK_THAT(out, Catch::Contains("found: 6 entries, head #6 "));
}

TEST_CASE("audit verify: a broken entry still prints what was found before it") {
    testing::temp_db_path path;
    fill(path.str(), 5);
    const std::string h3 = hash_of(path.str(), 3);
    {
        testing::stores s(path.str());
        s.drop_trigger("audit_log_no_update", "audit_log");
        s.raw("UPDATE audit_log SET actor = 'U99' WHERE seq = 4");
    }
    std::string out;
    CHECK(verify_against(path.str(), "5:" + std::string(12, 'a'), out) == 1);
    CHECK_THAT(out, Catch::StartsWith("audit entry 4 is broken: hash mismatch"));
    CHECK_THAT(out, Catch::Contains("found: 3 entries, head #3 " + h3));
}

TEST_CASE("a head is given as SEQ:HASH with 12 to 64 hex digits") {
    auto ok = parse_audit_anchor("42:ABCDEF012345");
    REQUIRE(ok);
    CHECK(ok->seq == 42);
    CHECK(ok->hash == "abcdef012345");
    CHECK(parse_audit_anchor("1:" + std::string(64, 'f')));
    for (const std::string& bad : std::vector<std::string>{"42", "42:", ":abcdef012345", "0:abcdef012345", "-1:abcdef012345",
                                  "4x:abcdef012345", "42:abcdef01234", "42:abcdef01234g",
                                  "42:" + std::string(65, 'a')}) {
        INFO(bad);
        auto parsed = parse_audit_anchor(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().kind == error_kind::invalid_input);
    }
    CHECK(short_head(17, std::string(64, 'c')) == "#17 cccccccccccc");
}
