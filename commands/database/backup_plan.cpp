#include "commands/database/backup_plan.hpp"

#include "commands/database/steps.hpp"
#include "commands/plan/step_params.hpp"

#include "adapters/postgres_url.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "storage/audit_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::commands {
namespace {

std::string human_bytes(std::uintmax_t bytes) {
    if (bytes < 1024) {
        return fmt::format("{} B", bytes);
    }
    if (bytes < 1024 * 1024) {
        return fmt::format("{:.1f} KB", static_cast<double>(bytes) / 1024.0);
    }
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

void record(const database_tools& tools, const clock& clk, std::string_view actor, std::string event,
            boost::json::object detail) {
    if (tools.audit_db == nullptr) {
        spdlog::warn("{} not recorded: no audit database", event);
        return;
    }
    storage::audit_log log(*tools.audit_db, clk);
    auto appended = log.append({std::string(actor), std::nullopt, event, std::move(detail)});
    if (!appended) {
        spdlog::error("could not record {}: {}", event, appended.error().message);
    }
}

}  // namespace

std::optional<database_tools> make_database_tools(const stack_config& config, storage::database* audit_db,
                                                  env_lookup env) {
    if (!config.migrations) {
        return std::nullopt;
    }
    return database_tools{*config.migrations, config.databases, audit_db, env};
}

plan_step backup_step(std::string_view environment, const migrations_config& migrations) {
    plan_step step;
    step.kind = "postgres.backup";
    step.description = fmt::format("Back up the {} database: pg_dump -Fc --no-owner into {}/, then check it with "
                                   "pg_restore -l",
                                   environment, migrations.backup_dir);
    step.params = params_of(database_step_params{std::string(environment)});
    step.timeout = migrations.timeout;
    return step;
}

result<plan> plan_backup(const stack_config& config, std::string_view environment) {
    if (!config.migrations) {
        return fail(error_kind::unavailable, "Backups are not configured (config: migrations).");
    }
    if (!config.databases.contains(std::string(environment))) {
        return fail(error_kind::unavailable,
                    fmt::format("No database configured for `{}` (config: databases.{}).", environment, environment));
    }
    plan p;
    p.family = "backup";
    p.service = "database";  // what the lock covers: one database per environment
    p.environment = std::string(environment);
    p.title = fmt::format("Back up the {} database", environment);
    p.steps.push_back(backup_step(environment, *config.migrations));
    p.impact = {"Reads the whole database (load on the server); writes one file to the backup directory."};
    p.next_step_on_failure = "Runbook §1: take the backup by hand before any schema change: "
                             "pg_dump -Fc --no-owner -f <env>_<YYYYmmdd_HHMMSS>.dump (connection in PG* variables).";
    return p;
}

std::string describe_backup(std::string_view environment, const adapters::backup_file& file) {
    return fmt::format("Backup {} of {}: {}, sha256 {}, {} objects in the archive.", file.path, environment,
                       human_bytes(file.bytes), file.sha256.substr(0, 16), file.toc_entries);
}

result<adapters::backup_file> backup_and_record(const database_tools& tools, std::string_view environment,
                                                const clock& clk, std::string_view actor) {
    auto url = adapters::database_url_for(tools.databases, environment, tools.env);
    if (!url) {
        record(tools, clk, actor, "backup.failed", {{"environment", std::string(environment)}, {"reason", url.error().message}});
        return std::unexpected(url.error());
    }
    adapters::backup_settings settings{tools.migrations.pg_dump, tools.migrations.pg_restore,
                                       tools.migrations.backup_dir, tools.migrations.timeout,
                                       tools.migrations.env_passthrough};
    auto made = adapters::take_backup(environment, *url, settings, clk.now());
    if (!made) {
        record(tools, clk, actor, "backup.failed", {{"environment", std::string(environment)}, {"reason", made.error().message}});
        return made;
    }
    record(tools, clk, actor, "backup.created",
           {{"environment", std::string(environment)}, {"file", made->path}, {"bytes", static_cast<std::uint64_t>(made->bytes)}, {"sha256", made->sha256}});
    return made;
}

reply run_backup_now(const parsed_command& command, const command_context& context) {
    const std::string environment = command.subcommand;
    std::optional<database_tools> tools = context.platforms.database;
    if (!tools) {
        tools = make_database_tools(context.config, context.db);
    }
    if (!tools) {
        return {"Backups are not configured (config: migrations).", false, true};
    }
    if (tools->audit_db == nullptr) {
        tools->audit_db = context.db;
    }
    auto made = backup_and_record(*tools, environment, context.clk, command.user.str());
    if (!made) {
        return {":x: " + escape_mrkdwn(made.error().message), false, true};
    }
    return {":floppy_disk: " + escape_mrkdwn(describe_backup(environment, *made)), true, false};
}

}  // namespace opsbot::commands
