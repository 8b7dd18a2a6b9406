#include "commands/deploy/spec.hpp"

#include "commands/grammar/spec_blocks.hpp"

namespace opsbot::commands {

family_spec deploy_family() {
    family_spec f;
    f.name = "deploy";
    f.command = "/deploy";
    f.description = "Deploy status, pre- and post-deploy checklists, deploys and deploy locks";
    f.subcommands = {
        {.name = "status",
         .implemented = true,
         .summary = "What runs in production now: per service the live deployment, /health, pending migrations",
         .examples = {"status"}},
        {.name = "check",
         .implemented = true,
         .summary = "Pre-deploy checklist: CI on main, staging verified, backup if migrations pending, env vars",
         .examples = {"check"}},
        {.name = "verify",
         .args = {spec::env_optional("production")},
         .implemented = true,
         .summary = "Post-deploy checklist: health, web loads, new Sentry issues, BetterStack, migrations, workers' "
                    "start-up log lines",
         .examples = {"verify", "verify staging"}},
        {.name = "",
         .args = {spec::service(), spec::env_optional("production")},
         .flags = {spec::dry_run()},
         .destructive = destructiveness::in_production,
         .implemented = true,
         .summary = "Deploy a service (default: production; production needs approval)",
         .examples = {"web staging", "api production --dry-run"}},
        {.name = "lock",
         .args = {spec::service(), spec::env_required(), spec::reason()},
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Stop deploys and rollbacks of a service in one environment until unlocked",
         .examples = {"lock api production \"incident 42: hold deploys\""}},
        {.name = "unlock",
         .args = {spec::service(), spec::env_required()},
         .destructive = destructiveness::always,
         .implemented = true,
         .summary = "Release a deploy lock",
         .examples = {"unlock api production"}},
        {.name = "logs",
         .args = {spec::service(), {"lines", arg_kind::count, false, "[N]", ""}},
         .flags = {{"errors", "", "only error lines (Railway's @level:error)"}},
         .implemented = true,
         .summary = "The last N lines (default 50, at most 200) of a Railway service's live deployment, redacted",
         .examples = {"logs api", "logs api 100 --errors"}},
    };
    return f;
}

}  // namespace opsbot::commands
