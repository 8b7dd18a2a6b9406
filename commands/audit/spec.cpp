#include "commands/audit/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec audit_family() {
    family_spec f;
    f.name = "audit";
    f.command = "/audit";
    f.description = "The audit trail: the last N actions, or every step of one action";
    f.subcommands = {
        {.name = "",
         .args = {{"target", arg_kind::count_or_action, false, "[N | ACTION-ID]", "20"}},
         .implemented = true,
         .summary = "The last N actions (default 20, at most 1000), or the steps of action ACTION-ID",
         .examples = {"", "50", "A-42"}},
    };
    return f;
}

}  // namespace opsbot::commands
