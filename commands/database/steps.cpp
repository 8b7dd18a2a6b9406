// The step kinds of /backup and /migrate: "postgres.backup", "prisma.deploy", "prisma.status",
// "migrate.verified". Their parameter types are in steps.hpp; the URL is read at run time.
#include "commands/database/steps.hpp"

#include "adapters/migration_runner.hpp"
#include "adapters/postgres_url.hpp"
#include "adapters/prisma_migrations.hpp"
#include "commands/database/backup_plan.hpp"
#include "commands/database/migrate_guard.hpp"
#include "commands/database/migrate_plan.hpp"
#include "commands/plan/step_runner.hpp"
#include "commands/plan/step_params.hpp"
#include "storage/audit_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::commands {
namespace {


std::string names(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& n : list) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out.empty() ? "none" : out;
}

result<std::string> deploy(const migrate_deploy_params& params, const plan_step& step, const database_tools& tools,
                           const clock& clk) {
    const std::string& environment = params.environment;
    auto url = adapters::database_url_for(tools.databases, environment, tools.env);
    if (!url) {
        return std::unexpected(url.error());
    }
    // What is applied right before the command (its precondition, deploy_ready, checked the files just before).
    auto applied_before = applied_before_deploy(tools, *url);
    if (!applied_before) {
        return std::unexpected(applied_before.error());
    }
    adapters::deploy_settings settings;
    settings.command = tools.migrations.deploy_command;
    settings.workdir = tools.migrations.workdir;
    settings.env_passthrough = tools.migrations.env_passthrough;
    settings.timeout = step.timeout;
    auto ran = adapters::run_migrate_deploy(settings, *url);
    if (!ran) {
        return std::unexpected(ran.error());
    }
    if (ran->ok()) {
        auto after = adapters::read_prisma_status(*url, tools.migrations.workdir);
        if (!after) {
            return fail(error_kind::conflict, fmt::format("prisma migrate deploy on {} succeeded, but "
                                                          "_prisma_migrations could not be read to check what it "
                                                          "applied: {}",
                                                          environment, after.error().message));
        }
        if (auto exact = check_after_deploy(params, *applied_before, *after); !exact) {
            return fail(exact.error().kind, fmt::format("prisma migrate deploy on {}: {}", environment,
                                                        exact.error().message));
        }
        return fmt::format("prisma migrate deploy on {} applied exactly the approved migrations (checksums "
                           "match):\n{}",
                           environment, adapters::keep_tail(ran->output, 1500));
    }
    // Runbook §8: report what _prisma_migrations says and what to do next.
    auto status = adapters::read_prisma_status(*url, tools.migrations.workdir);
    if (!status) {
        return fail(error_kind::conflict,
                    fmt::format("prisma migrate deploy on {} failed ({}), and _prisma_migrations could not be read "
                                "({}). {}\nDeploy output (tail):\n{}",
                                environment, ran->describe(), status.error().message, migration_next_step,
                                adapters::keep_tail(adapters::without_row_data(ran->output), 1200)));
    }
    const auto& db = tools.databases.at(environment);
    auto report = migration_failure_report(environment, *status,
                                           latest_backup_file(tools.audit_db, clk, environment),
                                           adapters::pg_database_name(*url), db.url_env, ran->output, clk.now());
    return fail(ran->timed_out ? error_kind::timeout : error_kind::conflict,
                fmt::format("prisma migrate deploy on {} failed ({}).\n{}", environment, ran->describe(), report));
}

result<std::string> status_check(const database_step_params& params, const database_tools& tools) {
    const std::string& environment = params.environment;
    auto url = adapters::database_url_for(tools.databases, environment, tools.env);
    if (!url) {
        return std::unexpected(url.error());
    }
    auto status = adapters::read_prisma_status(*url, tools.migrations.workdir);
    if (!status) {
        return std::unexpected(status.error());
    }
    if (!status->managed) {
        return fail(error_kind::conflict, fmt::format("{}: the database is not managed by Prisma Migrate "
                                                      "(no _prisma_migrations table)", environment));
    }
    if (!status->failed.empty() || !status->pending.empty()) {
        return fail(error_kind::conflict, fmt::format("{}: failed migrations: {}; still pending: {}. {}", environment,
                                                      names(status->failed), names(status->pending),
                                                      migration_next_step));
    }
    return fmt::format("{}: database schema is up to date ({} migrations applied{})", environment,
                       status->applied.size(),
                       status->modified.empty() ? "" : "; changed on disk since: " + names(status->modified));
}

result<std::string> record_verified(const migrate_verified_params& params, const database_tools& tools,
                                    const clock& clk) {
    if (tools.audit_db == nullptr) {
        return fail(error_kind::unavailable, "no audit database to record the verification in");
    }
    storage::audit_log log(*tools.audit_db, clk);
    const std::string& environment = params.environment;
    auto appended = log.append({"opsbot", std::nullopt, "verify.succeeded",
                                {{"environment", environment}, {"migrations", params.migrations},
                                 {"source", "migrate"}}});
    if (!appended) {
        return std::unexpected(appended.error());
    }
    return fmt::format("{} verified after its migration (audit #{})", environment, appended->seq);
}

}  // namespace

namespace {

/// Each database step needs the `migrations` section (platforms.database).
result<const database_tools*> tools_of(const step_environment& env) {
    if (!env.platforms.database) {
        return fail(error_kind::unavailable, "backups and migrations are not configured (config: migrations)");
    }
    return &*env.platforms.database;
}

result<std::string> backup_step(const database_step_params& params, const plan_step&, const step_environment& env) {
    auto tools = tools_of(env);
    if (!tools) {
        return std::unexpected(tools.error());
    }
    auto made = backup_and_record(**tools, params.environment, env.clk, "opsbot");
    if (!made) {
        return std::unexpected(made.error());
    }
    return describe_backup(params.environment, *made);
}

result<std::string> deploy_step(const migrate_deploy_params& params, const plan_step& step,
                                const step_environment& env) {
    auto tools = tools_of(env);
    return tools ? deploy(params, step, **tools, env.clk) : std::unexpected(tools.error());
}

/// prisma.deploy's precondition: the files, and for production staging, still as approved (issue 12 item 2);
/// else nothing runs.
result<void> deploy_ready(const migrate_deploy_params& params, const plan_step&, const step_environment& env) {
    auto tools = tools_of(env);
    if (!tools) {
        return std::unexpected(tools.error());
    }
    auto url = adapters::database_url_for((*tools)->databases, params.environment, (*tools)->env);
    if (!url) {
        return std::unexpected(url.error());
    }
    return check_before_deploy(params, **tools, *url, env.clk);
}

result<std::string> status_step(const database_step_params& params, const plan_step&, const step_environment& env) {
    auto tools = tools_of(env);
    return tools ? status_check(params, **tools) : std::unexpected(tools.error());
}

result<std::string> verified_step(const migrate_verified_params& params, const plan_step&,
                                  const step_environment& env) {
    auto tools = tools_of(env);
    return tools ? record_verified(params, **tools, env.clk) : std::unexpected(tools.error());
}

}  // namespace

std::vector<step_kind> database_step_kinds() {
    return {
        typed_step<database_step_params>("postgres.backup", step_role::acting, true, &backup_step),
        typed_step<migrate_deploy_params>("prisma.deploy", step_role::acting, false, &deploy_step, &deploy_ready),
        typed_step<database_step_params>("prisma.status", step_role::reading, true, &status_step),
        typed_step<migrate_verified_params>("migrate.verified", step_role::acting, true, &verified_step),
    };
}

}  // namespace opsbot::commands
