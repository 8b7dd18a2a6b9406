// The step kinds of /backup and /migrate: "postgres.backup", "prisma.deploy", "prisma.status",
// "migrate.verified". Step params carry only the environment name; the URL is read at run time.
#include "adapters/migration_runner.hpp"
#include "adapters/postgres_url.hpp"
#include "adapters/prisma_migrations.hpp"
#include "commands/backup_plan.hpp"
#include "commands/migrate_guard.hpp"
#include "commands/migrate_plan.hpp"
#include "commands/step_runner.hpp"
#include "commands/step_support.hpp"
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

result<std::string> deploy(const plan_step& step, const database_tools& tools, const clock& clk) {
    const std::string environment = step_param(step, "environment");
    auto url = adapters::database_url_for(tools.databases, environment, tools.env);
    if (!url) {
        return std::unexpected(url.error());
    }
    // The files, and for production staging, still as approved: else nothing runs.
    auto applied_before = check_before_deploy(step, tools, *url, clk);
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
        if (auto exact = check_after_deploy(step, *applied_before, *after); !exact) {
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

result<std::string> status_check(const plan_step& step, const database_tools& tools) {
    const std::string environment = step_param(step, "environment");
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

result<std::string> record_verified(const plan_step& step, const database_tools& tools, const clock& clk) {
    if (tools.audit_db == nullptr) {
        return fail(error_kind::unavailable, "no audit database to record the verification in");
    }
    storage::audit_log log(*tools.audit_db, clk);
    const std::string environment = step_param(step, "environment");
    auto appended = log.append({"opsbot", std::nullopt, "verify.succeeded",
                                {{"environment", environment}, {"migrations", step_param(step, "migrations")},
                                 {"source", "migrate"}}});
    if (!appended) {
        return std::unexpected(appended.error());
    }
    return fmt::format("{} verified after its migration (audit #{})", environment, appended->seq);
}

}  // namespace

result<std::string> run_database_step(const plan_step& step, const step_environment& env) {
    if (!env.platforms.database) {
        return fail(error_kind::unavailable, "backups and migrations are not configured (config: migrations)");
    }
    const database_tools& tools = *env.platforms.database;
    if (step.kind == "postgres.backup") {
        const std::string environment = step_param(step, "environment");
        auto made = backup_and_record(tools, environment, env.clk, "opsbot");
        if (!made) {
            return std::unexpected(made.error());
        }
        return describe_backup(environment, *made);
    }
    if (step.kind == "prisma.deploy") {
        return deploy(step, tools, env.clk);
    }
    if (step.kind == "prisma.status") {
        return status_check(step, tools);
    }
    if (step.kind == "migrate.verified") {
        return record_verified(step, tools, env.clk);
    }
    return fail(error_kind::internal, fmt::format("no runner for step kind `{}`", step.kind));
}

}  // namespace opsbot::commands
