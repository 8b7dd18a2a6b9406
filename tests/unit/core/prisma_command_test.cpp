// The one reader of the deploy command's argument vector (issue 12 item 11): what Prisma could drop data with is
// refused wherever it sits in argv, including shapes a substring search of the joined command misses.
#include "core/prisma_command.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using opsbot::destructive_prisma_command;

namespace {

std::string refusal(const std::vector<std::string>& argv) {
    auto why = destructive_prisma_command(argv);
    return why ? *why : std::string("(allowed)");
}

}  // namespace

TEST_CASE("migrate reset and --force-reset are refused in any position", "[prisma-command]") {
    CHECK_THAT(refusal({"npx", "prisma", "migrate", "reset"}), Catch::Contains("`migrate reset`"));
    CHECK_THAT(refusal({"npx", "prisma", "migrate", "reset", "--force", "--skip-seed"}),
               Catch::Contains("`migrate reset`"));
    CHECK_THAT(refusal({"prisma", "reset", "migrate"}), Catch::Contains("`migrate reset`"));
    // `migrate deploy --force-reset` joins to no "migrate reset" at all.
    CHECK_THAT(refusal({"npx", "prisma", "migrate", "deploy", "--force-reset"}), Catch::Contains("`--force-reset`"));
    CHECK_THAT(refusal({"npx", "prisma", "--force-reset=true", "migrate", "deploy"}),
               Catch::Contains("`--force-reset`"));
}

TEST_CASE("db push is refused with or without --accept-data-loss, in any order", "[prisma-command]") {
    CHECK_THAT(refusal({"npx", "prisma", "db", "push"}), Catch::Contains("`db push`"));
    CHECK_THAT(refusal({"npx", "prisma", "db", "push", "--accept-data-loss"}),
               Catch::Contains("`db push --accept-data-loss`"));
    // Joined, this is "prisma db --accept-data-loss push": no "db push" substring.
    CHECK_THAT(refusal({"prisma", "db", "--accept-data-loss", "push"}),
               Catch::Contains("`db push --accept-data-loss`"));
    CHECK_THAT(refusal({"prisma", "push", "--schema", "x.prisma", "db"}), Catch::Contains("`db push`"));
    CHECK_THAT(refusal({"npx", "prisma", "--accept-data-loss"}), Catch::Contains("`--accept-data-loss`"));
}

TEST_CASE("words inside one element count too: a shell wrapper or one string", "[prisma-command]") {
    CHECK_THAT(refusal({"sh", "-c", "npx prisma migrate reset --force"}), Catch::Contains("`migrate reset`"));
    CHECK_THAT(refusal({"npx prisma db push"}), Catch::Contains("`db push`"));
    CHECK_THAT(refusal({"npx", "prisma", "migrate\tdeploy --force-reset"}), Catch::Contains("`--force-reset`"));
    CHECK_THAT(refusal({"NPX", "PRISMA", "DB", "PUSH"}), Catch::Contains("`db push`"));
}

TEST_CASE("migrate deploy and look-alike paths may run", "[prisma-command]") {
    CHECK_FALSE(destructive_prisma_command(std::vector<std::string>{"npx", "prisma", "migrate", "deploy"}));
    CHECK_FALSE(destructive_prisma_command(
        std::vector<std::string>{"npx", "prisma", "migrate", "deploy", "--schema", "db/push/reset/schema.prisma"}));
    CHECK_FALSE(destructive_prisma_command(std::vector<std::string>{"/opt/tools/prisma_standin", "migrate", "deploy"}));
    CHECK_FALSE(destructive_prisma_command(std::vector<std::string>{"pnpm", "exec", "prisma", "migrate", "deploy"}));
}
