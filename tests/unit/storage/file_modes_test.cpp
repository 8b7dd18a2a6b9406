// The bot's database is its owner's only (issue 12 item 5, docs/design.md "Security rules"): created 0600 with its WAL
// and shared-memory files whatever the umask, and tightened with one log line each when found readable by others.
// The instance lock beside it is 0600 too, and a second holder is refused with who holds it.
#include "fixture.hpp"
#include "storage/instance_lock.hpp"
#include "tests/support/file_modes.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

using namespace opsbot;
using namespace opsbot::storage;
using opsbot::testing::captured_log;
using opsbot::testing::loose_umask;
using opsbot::testing::mode_of;

namespace {

size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("a new database and its -wal and -shm files are 0600 under a 022 umask", "[storage][file-modes]") {
    loose_umask umask_022;
    storage::testing::temp_db_path path;
    database db(path.str());
    {
        auto session = db.acquire();
        session.sql().run_script("CREATE TABLE t (x)");  // a write, so the WAL holds something
    }
    CHECK(mode_of(path.str()) == 0600);
    CHECK(mode_of(path.str() + "-wal") == 0600);
    CHECK(mode_of(path.str() + "-shm") == 0600);
}

TEST_CASE("a 0644 database and WAL found at start are tightened, one log line each", "[storage][file-modes]") {
    loose_umask umask_022;
    storage::testing::temp_db_path path;
    {
        // An older opsbot's file: SQLite's default mode, and a WAL a crash left behind.
        SQLite::Database old(path.str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        old.exec("CREATE TABLE left_behind (x)");
    }
    std::ofstream(path.str() + "-wal").flush();
    REQUIRE(::chmod(path.str().c_str(), 0644) == 0);
    REQUIRE(::chmod((path.str() + "-wal").c_str(), 0664) == 0);
    captured_log log;
    {
        database db(path.str());
        CHECK(mode_of(path.str()) == 0600);
        CHECK(mode_of(path.str() + "-wal") == 0600);
        CHECK(mode_of(path.str() + "-shm") == 0600);
    }
    const std::string text = log.text();
    INFO(text);
    CHECK(count_of(text, path.str() + " was readable by others: mode changed from 0644 to 0600") == 1);
    CHECK(count_of(text, path.str() + "-wal was readable by others: mode changed from 0664 to 0600") == 1);
    CHECK(count_of(text, "was readable by others") == 2);

    // Opened again, nothing is left to tighten and nothing is logged.
    captured_log again;
    { database db(path.str()); }
    CHECK(again.text().find("readable by others") == std::string::npos);
}

TEST_CASE("the instance lock is a 0600 file naming its holder, refuses a second holder, and is released on close",
          "[storage][instance]") {
    loose_umask umask_022;
    storage::testing::temp_db_path path;
    manual_clock clk;
    const std::string file = instance_lock::file_for(path.str());
    {
        auto first = instance_lock::acquire(path.str(), clk);
        REQUIRE(first);
        CHECK(mode_of(file) == 0600);
        std::ifstream in(file);
        std::string holder((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK_THAT(holder, Catch::StartsWith("pid " + std::to_string(::getpid()) + " on host "));
        CHECK_THAT(holder, Catch::Contains(" since 2026-"));

        // flock belongs to the open file description: a second open in this process is refused like another process.
        auto second = instance_lock::acquire(path.str(), clk);
        REQUIRE_FALSE(second);
        CHECK(second.error().kind == error_kind::conflict);
        CHECK_THAT(second.error().message, Catch::Contains("pid " + std::to_string(::getpid()) + " on host "));
        CHECK_THAT(second.error().message, Catch::Contains(file));
        CHECK_FALSE(std::filesystem::exists(path.str()));  // the database itself was never touched
    }
    auto again = instance_lock::acquire(path.str(), clk);
    CHECK(again);
    std::filesystem::remove(file);
}
