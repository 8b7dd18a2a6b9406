#include "commands/database/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec backup_family() {
    family_spec f;
    f.name = "backup";
    f.command = "/backup";
    f.description = "pg_dump -Fc backups of the staging or production database";
    f.subcommands = {
        {.name = "staging", .implemented = true, .summary = "Take a backup of the staging database", .examples = {"staging"}},
        {.name = "production",
         .destructive = destructiveness::always,
         .implemented = true, .summary = "Take a backup of the production database",
         .examples = {"production"}},
        {.name = "list",
         .args = {spec::env_optional("")},
         .implemented = true, .summary = "Recent backups (both environments unless one is named)",
         .examples = {"list", "list production"}},
    };
    return f;
}

}  // namespace opsbot::commands
