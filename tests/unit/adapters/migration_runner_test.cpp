// The deploy command is refused before anything runs when its argument vector asks Prisma to drop data
// (issue 12 item 11), whatever the order of its words.
#include "adapters/migration_runner.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using namespace opsbot;
using namespace opsbot::adapters;
namespace fs = std::filesystem;

TEST_CASE("a destructive deploy command is refused and never started", "[migrate]") {
    const fs::path marker = fs::temp_directory_path() / ("opsbot-refused-" + std::to_string(::getpid()));
    fs::remove(marker);
    // The words after the script are its $0 $1 $2: had it run, the marker would exist.
    for (const std::vector<std::string>& words : {std::vector<std::string>{"db", "--accept-data-loss", "push"},
                                                  std::vector<std::string>{"migrate", "deploy", "--force-reset"},
                                                  std::vector<std::string>{"reset", "x", "migrate"}}) {
        deploy_settings s;
        s.command = {"/bin/sh", "-c", "touch " + marker.string()};
        s.command.insert(s.command.end(), words.begin(), words.end());
        auto r = run_migrate_deploy(s, "postgresql://u@localhost/x");
        INFO(words[0] << " " << words[1] << " " << words[2]);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == error_kind::forbidden);
        CHECK_THAT(r.error().message, Catch::Contains("config: migrations.deploy_command"));
        CHECK_THAT(r.error().message, Catch::Contains("Never use prisma migrate reset or prisma db push"));
        CHECK_FALSE(fs::exists(marker));
    }
    CHECK_THAT(*refuse_deploy_command({"prisma", "db", "--accept-data-loss", "push"}),
               Catch::Contains("it asks for `db push --accept-data-loss`"));
    CHECK_FALSE(refuse_deploy_command({"npx", "prisma", "migrate", "deploy"}));
}
