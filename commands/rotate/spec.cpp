#include "commands/rotate/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec rotate_family() {
    family_spec f;
    f.name = "rotate";
    f.command = "/rotate";
    f.description = "Run a secret's rotation procedure: new value, update platforms, redeploy, verify, revoke";
    f.subcommands = {
        {.name = "",
         .args = {spec::secret()},
         .flags = {{"continue", "", "resume a rotation that stopped at a manual step"},
                   spec::dry_run(),
                   spec::break_glass()},
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Rotate SECRET following its procedure from the runbook",
         .examples = {"BETTER_AUTH_SECRET", "OPENAI_API_KEY --dry-run", "OPENAI_API_KEY --continue"}},
    };
    return f;
}

}  // namespace opsbot::commands
