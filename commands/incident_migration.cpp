#include "commands/incident_migration.hpp"

#include "adapters/postgres_url.hpp"
#include "adapters/sentry.hpp"
#include "commands/backup_plan.hpp"
#include "commands/format.hpp"
#include "commands/mrkdwn.hpp"
#include "core/json_fields.hpp"
#include "storage/audit_log.hpp"

#include <boost/json/parse.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace opsbot::commands {
namespace {

constexpr std::string_view runbook_query =
    "SELECT migration_name, started_at, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at "
    "DESC LIMIT 5";

std::string row_line(const adapters::prisma_migration_row& row) {
    std::string line = fmt::format("\n• {} started {}", code_span(row.name, 80), escape_mrkdwn(row.started_at));
    line += row.finished_at.empty() ? " · *not finished*" : " · finished " + escape_mrkdwn(row.finished_at);
    if (!row.rolled_back_at.empty()) {
        line += " · rolled back " + escape_mrkdwn(row.rolled_back_at);
    }
    return line;
}

/// The error line of the failed row `name` (never its raw logs: they can quote row data), as a mrkdwn line.
std::string error_line(const std::vector<adapters::prisma_migration_row>& rows, const std::string& name) {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (it->name == name && it->failed()) {
            const std::string summary = adapters::migration_error_summary(it->logs);
            return summary.empty() ? std::string("\nError: (no logs recorded)") : "\nError: " + code_span(summary, 300);
        }
    }
    return {};
}

std::string fresh_name(const clock& clk) {
    const std::time_t t = std::chrono::system_clock::to_time_t(clk.now());
    return fmt::format("restore_{:%Y%m%d_%H%M%S}", fmt::gmtime(t));
}

}  // namespace

result<std::optional<recorded_backup>> find_restore_backup(storage::database& db, const clock& clk,
                                                           const std::string& environment, const std::string& before) {
    auto entries = storage::audit_log(db, clk).entries();
    if (!entries) {
        return std::unexpected(entries.error());
    }
    const auto limit = adapters::parse_utc_iso8601(before);
    std::optional<recorded_backup> newest;
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
        if (it->event != "backup.created") {
            continue;
        }
        boost::system::error_code ec;
        auto detail = boost::json::parse(it->detail_json, ec);
        if (ec || !detail.is_object() || json_string(detail.get_object(), "environment") != environment) {
            continue;
        }
        recorded_backup b{it->time, json_string(detail.get_object(), "file"),
                          json_string(detail.get_object(), "sha256"), true};
        auto taken = adapters::parse_utc_iso8601(it->time);
        if (!limit || (taken && *taken <= *limit)) {
            return std::optional<recorded_backup>{b};
        }
        if (!newest) {
            b.taken_before_failure = false;
            newest = b;
        }
    }
    return newest;
}

std::string restore_instructions(const recorded_backup& backup, const std::string& url_env,
                                 const std::string& fresh_database) {
    const std::string var = "$" + url_env;
    std::string out;
    out += fmt::format("\n1. Create a fresh database on the same server: `createdb --maintenance-db=\"{}\" {}`",
                       escape_mrkdwn(var), escape_mrkdwn(fresh_database));
    out += fmt::format("\n2. Set `NEW_DATABASE_URL` to `{}` with its database name replaced by `{}`.",
                       escape_mrkdwn(var), escape_mrkdwn(fresh_database));
    out += fmt::format("\n3. Restore into it, all or nothing: `pg_restore --no-owner --exit-on-error "
                       "--single-transaction -d \"$NEW_DATABASE_URL\" {}`",
                       escape_mrkdwn(backup.file));
    out += fmt::format("\n4. Point the API's `DATABASE_URL` at `$NEW_DATABASE_URL` (Railway variables), and `{}` "
                       "too, then roll back the application code and redeploy (runbook §5 Scenario 2).",
                       escape_mrkdwn(url_env));
    out += "\n_Never `pg_restore --clean` over the migrated database: it fails once a migration added dependent "
           "objects (platforms.md §4)._";
    return out;
}

reply migration_failed_reply(const parsed_command& command, const command_context& context) {
    const std::string environment = command.arg("env").value_or("production");
    std::optional<database_tools> tools = context.platforms.database;
    if (!tools) {
        tools = make_database_tools(context.config, context.db);
    }
    const auto& databases = tools ? tools->databases : context.config.databases;
    auto configured = databases.find(environment);
    if (configured == databases.end()) {
        return {fmt::format("No `{}` database is configured (config: databases.{}).", environment, environment), false,
                true};
    }
    auto url = tools ? adapters::database_url_for(databases, environment, tools->env)
                     : adapters::database_url_for(databases, environment);
    if (!url) {
        return {":x: " + escape_mrkdwn(url.error().message), false, true};
    }
    std::string text = fmt::format("*Database migration failed? {} (runbook §8)*", environment);
    text += "\n:warning: *Do NOT roll back application code yet*: it may depend on the new schema.";
    auto rows = adapters::read_migration_rows(*url);
    if (!rows) {
        return {text + "\n:x: Could not read `_prisma_migrations`: " + escape_mrkdwn(rows.error().message), false,
                true};
    }
    if (!*rows) {
        return {text + "\nThe database is not managed by Prisma Migrate (no `_prisma_migrations` table): no "
                       "migration has run here.",
                false, false};
    }
    text += fmt::format("\n`{}`:", runbook_query);
    const auto newest = newest_rows(**rows);
    for (const auto& row : newest) {
        text += row_line(row);
    }
    if (newest.empty()) {
        text += "\n• (no rows)";
    }
    const migration_verdict verdict = classify_migration_failure(**rows);
    if (verdict.kind == migration_failure::none) {
        text += "\n:white_check_mark: *Nothing failed*: " + escape_mrkdwn(verdict.reason) +
                ". If the deploy still fails, look at the API logs; `/migrate status " + environment +
                "` shows pending migrations.";
        return {text, false, false};
    }
    if (verdict.kind == migration_failure::clean) {
        text += fmt::format("\n:large_yellow_circle: *Failed cleanly*: {} — {}.", code_span(verdict.migration, 80),
                            escape_mrkdwn(verdict.reason));
        text += error_line(**rows, verdict.migration);
        text += fmt::format("\n*Next* (runbook §8 step 4): fix the migration SQL, mark the failed row rolled back "
                            "(`npx prisma migrate resolve --rolled-back {}`), re-run `prisma migrate deploy` "
                            "(`/migrate staging` first), then redeploy and verify (`/deploy verify {}`).",
                            escape_mrkdwn(verdict.migration), environment);
        return {text, false, false};
    }
    text += fmt::format("\n:x: *Started but not finished*: {} (started {}) — {}.", code_span(verdict.migration, 80),
                        escape_mrkdwn(verdict.started_at), escape_mrkdwn(verdict.reason));
    text += error_line(**rows, verdict.migration);
    text += "\n*Next* (runbook §8 step 3): restore from the pre-migration backup into a fresh database.";
    if (context.db == nullptr) {
        return {text + "\n:warning: No audit database: recorded backups cannot be looked up.", false, false};
    }
    auto backup = find_restore_backup(*context.db, context.clk, environment, verdict.started_at);
    if (!backup) {
        spdlog::error("/incident migration-failed: cannot read the audit log: {}", backup.error().message);
        return {text + "\n:x: Cannot read the audit log: " + escape_mrkdwn(backup.error().message), false, true};
    }
    if (!*backup) {
        text += fmt::format("\n:warning: *No backup of {} is recorded* in the audit log. Look for a pre-migration "
                            "dump outside opsbot (an operator's `agentix_backup_*.dump`, the platform's backups). "
                            "Without one, write a corrective migration instead (runbook §5 Scenario 3). A backup "
                            "taken now would hold the partial state, not the old one.",
                            environment);
        return {text, false, false};
    }
    const recorded_backup& b = **backup;
    std::error_code fe;
    const bool exists = !b.file.empty() && std::filesystem::exists(b.file, fe);
    text += fmt::format("\nBackup: {} recorded {} ({}), sha256 {}{}", code_span(b.file, 160), escape_mrkdwn(b.time),
                        age_of_iso(b.time, context.clk), escape_mrkdwn(b.sha256.substr(0, 12)),
                        exists ? "" : " — :warning: the file is not on this host");
    if (!b.taken_before_failure) {
        text += "\n:warning: This backup was taken *after* the migration started: it may hold the partial state. "
                "Prefer an older dump if you have one.";
    }
    text += restore_instructions(b, configured->second.url_env, fresh_name(context.clk));
    return {text, false, false};
}

}  // namespace opsbot::commands
