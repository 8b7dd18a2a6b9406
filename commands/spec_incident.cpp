#include "commands/families.hpp"

namespace opsbot::commands {

family_spec incident_family() {
    family_spec f;
    f.name = "incident";
    f.command = "/incident";
    f.description = "Emergency procedures from the runbook: site down, secret leaked, migration failed, errors";
    f.subcommands = {
        {.name = "site-down",
         .destructive = destructiveness::always,
         .summary = "Roll back the service that broke, verify, and open an incident",
         .examples = {"site-down"}},
        {.name = "secret-leaked",
         .args = {spec::secret()},
         .destructive = destructiveness::always,
         .summary = "Rotate the leaked secret at once and start the leaked-secret checklist",
         .examples = {"secret-leaked OPENAI_API_KEY"}},
        {.name = "migration-failed",
         .args = {spec::env_optional("production")},
         .summary = "Inspect _prisma_migrations and say whether to restore or fix forward",
         .examples = {"migration-failed", "migration-failed staging"}},
        {.name = "errors",
         .summary = "High error rate after a deploy: new Sentry issues and whether to roll back",
         .examples = {"errors"}},
    };
    return f;
}

}  // namespace opsbot::commands
