#include "commands/rollback/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec rollback_family() {
    family_spec f;
    f.name = "rollback";
    f.command = "/rollback";
    f.description = "Promote the previous (or a named) production deployment of a service";
    f.subcommands = {
        {.name = "",
         .args = {spec::service(), {"deployment", arg_kind::deployment, false, "[DEPLOYMENT]", ""}},
         .flags = {spec::dry_run(), spec::break_glass()},
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Roll a service back to its previous production deployment, or to DEPLOYMENT",
         .examples = {"web", "api --dry-run", "web dpl_8Fz1x2", "api --break-glass \"site down, approvers asleep\""}},
    };
    return f;
}

}  // namespace opsbot::commands
