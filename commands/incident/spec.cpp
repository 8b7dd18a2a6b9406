#include "commands/incident/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec incident_family() {
    family_spec f;
    f.name = "incident";
    f.command = "/incident";
    f.description = "Emergency procedures from the runbook: site down, secret leaked, migration failed, errors";
    f.subcommands = {
        {.name = "site-down",
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Roll back web and api to their previous deployments as one plan, then check health "
                    "(approved like /rollback)",
         .examples = {"site-down"}},
        {.name = "secret-leaked",
         .args = {spec::secret()},
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Rotate the leaked secret at once, start the leaked-secret checklist, keep the incident record",
         .examples = {"secret-leaked OPENAI_API_KEY"}},
        {.name = "migration-failed",
         .args = {spec::env_optional("production")},
         .implemented = true,
         .summary = "Inspect _prisma_migrations: partial (restore from the recorded backup) or clean (fix forward)",
         .examples = {"migration-failed", "migration-failed staging"}},
        {.name = "errors",
         .implemented = true,
         .summary = "High error rate after a deploy: new Sentry issues, grouped, and whether to roll back",
         .examples = {"errors"}},
    };
    return f;
}

}  // namespace opsbot::commands
