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
    CHECK(audit_verify_command(path.str(), out) == 0);
    std::string head;
    {
        testing::stores s(path.str());
        head = s.audit.verify()->head_hash;
    }
    CHECK(out.str() == "audit log OK: 12 entries, head " + head.substr(0, 16) + "\n");
}

TEST_CASE("audit verify: exit 1 naming the first broken entry") {
    testing::temp_db_path path;
    fill(path.str(), 12);
    {
        testing::stores s(path.str());
        s.raw("DROP TRIGGER audit_log_no_update");
        s.raw("UPDATE audit_log SET detail = replace(detail, 'entry 9', 'entry 8') WHERE seq = 9");
        s.raw("UPDATE audit_log SET detail = replace(detail, 'entry 11', 'entry 10') WHERE seq = 11");
    }
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), out) == 1);
    CHECK_THAT(out.str(), Catch::StartsWith("audit entry 9 is broken: hash mismatch (stored "));
}

TEST_CASE("audit verify and export: a missing file is exit 2 and is not created") {
    testing::temp_db_path path;
    std::ostringstream out;
    CHECK(audit_verify_command(path.str(), out) == 2);
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
    CHECK(audit_verify_command(path.str(), out) == 2);
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
