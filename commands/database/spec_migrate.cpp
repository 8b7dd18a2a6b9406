#include "commands/database/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec migrate_family() {
    family_spec f;
    f.name = "migrate";
    f.command = "/migrate";
    f.description = "Database migrations: status, then backup + prisma migrate deploy (staging first)";
    f.subcommands = {
        {.name = "status",
         .args = {spec::env_optional("")},
         .implemented = true, .summary = "Pending and failed migrations (both environments unless one is named)",
         .examples = {"status", "status production"}},
        {.name = "staging",
         .flags = {spec::dry_run()},
         .destructive = destructiveness::always,
         .implemented = true, .summary = "Back up staging, then apply pending migrations to staging",
         .examples = {"staging", "staging --dry-run"}},
        {.name = "production",
         .flags = {spec::dry_run()},
         .destructive = destructiveness::always,
         .implemented = true, .summary = "Back up production, then apply the migrations already applied on staging (needs approval)",
         .examples = {"production --dry-run"}},
    };
    return f;
}

}  // namespace opsbot::commands
