#include "commands/database/migrate_plan.hpp"

#include "commands/database/steps.hpp"
#include "commands/plan/step_params.hpp"

#include "adapters/migration_runner.hpp"
#include "adapters/postgres_backup.hpp"
#include "adapters/postgres_url.hpp"
#include "adapters/subprocess.hpp"
#include "commands/database/backup_plan.hpp"
#include "commands/database/migrate_guard.hpp"
#include "storage/audit_log.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::commands {
namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

std::string json_string(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string{};
}

/// Newest audit entry of `event` whose detail.environment is `environment` (time + detail).
std::optional<std::pair<std::string, boost::json::object>> newest_entry(storage::database* audit_db, const clock& clk,
                                                                        std::string_view event,
                                                                        std::string_view environment) {
    if (audit_db == nullptr) {
        return std::nullopt;
    }
    auto entry = storage::audit_log(*audit_db, clk).newest_for_environment(event, environment);
    if (!entry) {
        spdlog::error("cannot read the audit log: {}", entry.error().message);
        return std::nullopt;
    }
    if (!*entry) {
        return std::nullopt;
    }
    return std::pair{(*entry)->time, boost::json::parse((*entry)->detail_json).as_object()};
}

std::vector<std::string> health_urls(const stack_config& config, std::string_view environment) {
    std::vector<std::string> urls;
    for (const auto& [name, service] : config.services) {
        auto it = service.health_url.find(std::string(environment));
        if (service.platform == platform_kind::railway && it != service.health_url.end()) {
            urls.push_back(it->second);
        }
    }
    return urls;
}

plan_step env_step(std::string kind, std::string description, std::string_view environment,
                   std::chrono::seconds timeout) {
    plan_step s;
    s.kind = std::move(kind);
    s.description = std::move(description);
    s.params = params_of(database_step_params{std::string(environment)});
    s.timeout = timeout;
    return s;
}

}  // namespace

std::optional<std::string> latest_backup_file(storage::database* audit_db, const clock& clk,
                                              std::string_view environment) {
    auto entry = newest_entry(audit_db, clk, "backup.created", environment);
    if (!entry) {
        return std::nullopt;
    }
    return json_string(entry->second, "file");
}

std::optional<std::string> production_gate(const adapters::prisma_status& staging,
                                           const adapters::prisma_status& production, storage::database* audit_db,
                                           const clock& clk) {
    std::vector<std::string> needed = production.pending;
    needed.insert(needed.end(), production.failed.begin(), production.failed.end());
    std::string newest_finish;
    for (const auto& name : needed) {
        const auto* row = staging.applied_row(name);
        if (row == nullptr) {
            return fmt::format("`{}` is not applied on staging yet: run /migrate staging first (runbook §4 step 2).",
                               name);
        }
        const auto* folder = production.folder(name);
        if (folder != nullptr && folder->checksum != row->checksum) {
            return fmt::format("`{}` on staging was applied from a different migration.sql (checksum {} there, {} "
                               "now): apply the current file on staging first.",
                               name, row->checksum.substr(0, 12), folder->checksum.substr(0, 12));
        }
        newest_finish = std::max(newest_finish, row->finished_at);
    }
    // Staging must have been verified after its migration (runbook §4 "Verify staging works correctly").
    auto verified = newest_entry(audit_db, clk, "verify.succeeded", "staging");
    if (!verified || verified->first <= newest_finish) {
        return fmt::format("Staging has not been verified since its migration finished ({}): no audit "
                           "\"verify.succeeded\" for staging after it. Run /migrate staging to the end (its health "
                           "checks record the verification).",
                           newest_finish.empty() ? "never" : newest_finish);
    }
    return std::nullopt;
}

result<plan> plan_migrate(const stack_config& config, const platform_registry& platforms,
                          std::string_view environment, const clock& clk) {
    std::optional<database_tools> tools = platforms.database;
    if (!tools) {
        tools = make_database_tools(config, nullptr);
    }
    if (!tools) {
        return fail(error_kind::unavailable, "Migrations are not configured (config: migrations).");
    }
    if (auto refusal = adapters::refuse_deploy_command(tools->migrations.deploy_command)) {
        return fail(error_kind::forbidden, *refusal);
    }
    auto url = adapters::database_url_for(tools->databases, environment, tools->env);
    if (!url) {
        return std::unexpected(url.error());
    }
    auto status = adapters::read_prisma_status(*url, tools->migrations.workdir);
    if (!status) {
        return std::unexpected(status.error());
    }
    if (!status->failed.empty()) {
        return fail(error_kind::conflict,
                    fmt::format("{} has failed migrations ({}): prisma migrate deploy would refuse (P3009). {}",
                                environment, joined(status->failed), migration_next_step));
    }
    if (status->pending.empty()) {
        return fail(error_kind::conflict, fmt::format("{} is up to date: no pending migrations.", environment));
    }
    if (environment == "production") {
        auto staging_url = adapters::database_url_for(tools->databases, "staging", tools->env);
        if (!staging_url) {
            return std::unexpected(staging_url.error());
        }
        auto staging = adapters::read_prisma_status(*staging_url, tools->migrations.workdir);
        if (!staging) {
            return std::unexpected(staging.error());
        }
        if (auto why = production_gate(*staging, *status, tools->audit_db, clk)) {
            return fail(error_kind::forbidden, "Refusing to migrate production. " + *why);
        }
    }

    plan p;
    p.family = "migrate";
    p.service = "database";  // what the lock covers: one database per environment
    p.environment = std::string(environment);
    p.title = fmt::format("Migrate the {} database ({} pending)", environment, status->pending.size());
    p.next_step_on_failure = std::string(migration_next_step);
    p.impact = {fmt::format("Applies {} to {} (no down migrations: undoing means restoring the backup).",
                            joined(status->pending), environment)};
    if (!status->modified.empty()) {
        p.impact.push_back(fmt::format("Already applied but changed on disk since: {}.", joined(status->modified)));
    }
    p.steps.push_back(backup_step(environment, tools->migrations));
    std::string command;
    for (const auto& arg : tools->migrations.deploy_command) {
        command += (command.empty() ? "" : " ") + arg;
    }
    p.steps.push_back(env_step("prisma.deploy",
                               fmt::format("Right before: re-read the migration files (each migration.sql must have "
                                           "its approved SHA-256, no new folder){}. Then run `{}` in {} with "
                                           "DATABASE_URL of {} (applies {}), and check _prisma_migrations shows "
                                           "exactly those, with those checksums",
                                           environment == "production"
                                               ? " and that staging still shows them applied with the same "
                                                 "checksums"
                                               : "",
                                           command, tools->migrations.workdir, environment, joined(status->pending)),
                               environment, tools->migrations.timeout));
    // The checksums enter the digest: an edited migration.sql is another plan (issue 12 item 2).
    p.steps.back().params = params_of(migrate_deploy_params{std::string(environment), approved_of(*status)});
    p.steps.push_back(env_step("prisma.status",
                               fmt::format("Read _prisma_migrations of {}: every migration applied, none failed",
                                           environment),
                               environment, std::chrono::seconds{60}));
    const auto urls = health_urls(config, environment);
    for (const auto& health : urls) {
        p.steps.push_back(health_check_step(health));
    }
    if (environment == "staging" && !urls.empty()) {
        p.steps.push_back(env_step("migrate.verified",
                                   "Record in the audit log that staging was verified after the migration "
                                   "(lets /migrate production go ahead)",
                                   environment, std::chrono::seconds{10}));
        p.steps.back().params = params_of(migrate_verified_params{std::string(environment), joined(status->pending)});
    }
    return p;
}

std::string migration_failure_report(std::string_view environment, const adapters::prisma_status& status,
                                     const std::optional<std::string>& backup_file, std::string_view database_name,
                                     std::string_view url_env, std::string_view deploy_output,
                                     clock::time_point now) {
    std::string out = fmt::format("Database migration failed on {} (runbook §8).\n", environment);
    out += "1. Do NOT roll back application code yet: the code may depend on the new schema.\n";
    out += "2. _prisma_migrations (SELECT migration_name, started_at, finished_at, rolled_back_at FROM "
           "_prisma_migrations ORDER BY started_at DESC LIMIT 5):\n";
    int shown = 0;
    for (auto it = status.rows.rbegin(); it != status.rows.rend() && shown < 5; ++it, ++shown) {
        out += fmt::format("   {} | started {} | finished {} | rolled back {}\n", it->name, it->started_at,
                           it->finished_at.empty() ? "NULL" : it->finished_at,
                           it->rolled_back_at.empty() ? "NULL" : it->rolled_back_at);
    }
    if (!status.managed) {
        out += "   (no _prisma_migrations table: the database is not managed by Prisma Migrate)\n";
    }
    const adapters::prisma_migration_row* failed = nullptr;
    for (const auto& row : status.rows) {
        if (row.failed()) {
            failed = &row;
            // Only the error line: the logs column can quote row data (a DETAIL of a unique violation).
            const std::string error_line = adapters::migration_error_summary(row.logs);
            out += fmt::format("   FAILED: {} started at {}; error: {}\n", row.name, row.started_at,
                               error_line.empty() ? "(no logs)" : error_line);
        }
    }
    if (failed != nullptr) {
        const std::string db = database_name.empty() ? std::string("app") : std::string(database_name);
        const std::string fresh = fmt::format("{}_restore_{}", db,
                                              adapters::backup_file_name("", now).substr(1, 15));
        out += fmt::format("3. `{}` is partially applied (started but not finished). ", failed->name);
        if (backup_file) {
            // Restoring over the migrated database with --clean --if-exists fails on objects the migration
            // added (docs/platforms.md §4): restore into a fresh database instead.
            out += fmt::format(
                "Restore the pre-migration backup {} into a FRESH database (not over the migrated one: "
                "`--clean --if-exists` fails when the migration added dependent objects), on the same server:\n"
                "   createdb {}\n"
                "   pg_restore --no-owner --exit-on-error --single-transaction -d {} {}\n"
                "   then point DATABASE_URL ({}) at {}, roll back the application code, and redeploy.\n",
                *backup_file, fresh, fresh, *backup_file, url_env, fresh);
        } else {
            out += "No backup of this environment is recorded: restore the newest pre-migration dump into a FRESH "
                   "database (createdb <new>; pg_restore --no-owner --exit-on-error --single-transaction -d <new> "
                   "<file>) and point DATABASE_URL at it.\n";
        }
        out += fmt::format("   If the failing statement was the first one (nothing changed), instead fix the SQL, "
                           "run `npx prisma migrate resolve --rolled-back \"{}\"` and re-run prisma migrate deploy.\n",
                           failed->name);
    } else {
        out += "3. No migration is recorded as started: it failed cleanly (before any change). Fix the migration SQL "
               "(or the connection) and re-run prisma migrate deploy.\n";
    }
    out += "4. After fixing: redeploy and verify.\n";
    if (!deploy_output.empty()) {
        out += "Deploy output (tail, without DETAIL lines):\n" +
               adapters::keep_tail(adapters::without_row_data(deploy_output), 1200);
    }
    return out;
}

}  // namespace opsbot::commands
