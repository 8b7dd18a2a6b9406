// Backups are their owner's only (issue 12 item 5): the backup folder is created 0700 (every level opsbot makes),
// each pg_dump archive is 0600 from its first byte, and what an older opsbot left readable by others is tightened
// at start with one log line each. Real pg_dump where tagged [postgres] (skips when OPSBOT_TEST_PG_URL is unset).
#include "adapters/postgres_backup.hpp"
#include "tests/support/file_modes.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace opsbot;
namespace fs = std::filesystem;
using testing::loose_umask;
using testing::mode_of;

namespace {

struct temp_folder {
    fs::path path = testing::make_temp_dir("opsbot-backup-modes");
    ~temp_folder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("a backup creates its folders 0700 and its archive 0600", "[postgres][backup][file-modes]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    loose_umask umask_022;
    testing::scratch_database source(*admin, "opsbot_bk_modes");
    source.exec("CREATE TABLE items (id serial primary key, name text); INSERT INTO items (name) VALUES ('a');");
    temp_folder dir;
    adapters::backup_settings settings;
    settings.backup_dir = (dir.path / "var" / "backups").string();  // two levels opsbot creates
    auto made = adapters::take_backup("staging", source.url(), settings, std::chrono::system_clock::now());
    INFO((made ? made->path : made.error().message));
    REQUIRE(made);
    CHECK(mode_of(made->path) == 0600);
    CHECK(mode_of(settings.backup_dir) == 0700);
    CHECK(mode_of(dir.path / "var") == 0700);
    CHECK(made->toc_entries > 0);  // pg_dump wrote into the file it was given
}

TEST_CASE("at start, a backup folder and archives readable by others are tightened, one log line each",
          "[backup][file-modes]") {
    loose_umask umask_022;
    temp_folder dir;
    const fs::path backups = dir.path / "backups";
    fs::create_directories(backups);
    std::ofstream(backups / "production_20261127_101500.dump") << "archive";
    std::ofstream(backups / "staging_20261127_101500.dump") << "archive";
    REQUIRE(::chmod(backups.c_str(), 0755) == 0);
    REQUIRE(::chmod((backups / "production_20261127_101500.dump").c_str(), 0644) == 0);
    REQUIRE(::chmod((backups / "staging_20261127_101500.dump").c_str(), 0600) == 0);

    testing::captured_log log;
    auto secured = adapters::secure_backup_dir(backups.string());
    REQUIRE(secured);
    CHECK(mode_of(backups) == 0700);
    CHECK(mode_of(backups / "production_20261127_101500.dump") == 0600);
    CHECK(mode_of(backups / "staging_20261127_101500.dump") == 0600);
    const std::string text = log.text();
    INFO(text);
    CHECK_THAT(text, Catch::Contains(backups.string() + " was readable by others: mode changed from 0755 to 0700"));
    CHECK_THAT(text, Catch::Contains((backups / "production_20261127_101500.dump").string() +
                                     " was readable by others: mode changed from 0644 to 0600"));
    CHECK(text.find("staging_20261127_101500.dump") == std::string::npos);  // already private: no line

    // A folder that does not exist yet is left for the first backup to create.
    CHECK(adapters::secure_backup_dir((dir.path / "not-yet").string()));
    CHECK_FALSE(fs::exists(dir.path / "not-yet"));
}
