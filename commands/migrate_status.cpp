#include "commands/migrate_status.hpp"

#include "adapters/postgres_url.hpp"
#include "commands/backup_plan.hpp"
#include "commands/mrkdwn.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + code_span(n, 80);
    }
    return out;
}

std::vector<std::string> environments_of(const parsed_command& command, const database_tools& tools) {
    if (auto env = command.arg("env"); env && !env->empty()) {
        return {*env};
    }
    std::vector<std::string> out;
    for (const char* e : {"staging", "production"}) {
        if (tools.databases.contains(e)) {
            out.emplace_back(e);
        }
    }
    return out;
}

}  // namespace

std::string format_prisma_status(std::string_view environment, const adapters::prisma_status& s) {
    std::string out = fmt::format("*{}*: {} migrations found, {} applied", environment, s.folders.size(),
                                  s.applied.size());
    if (!s.managed) {
        // As `prisma migrate status` does: no table yet means every folder is still to apply.
        out += " (no `_prisma_migrations` table yet: Prisma Migrate has not run on this database)";
    }
    if (s.up_to_date()) {
        out += " — database schema is up to date.";
    }
    if (!s.pending.empty()) {
        out += fmt::format("\n• pending ({}): {}", s.pending.size(), listed(s.pending));
    }
    for (const auto& row : s.rows) {
        if (row.failed()) {
            // The error line only: the logs column can quote row data.
            out += fmt::format("\n• :x: failed: {} (started {}): {}", code_span(row.name, 80), row.started_at,
                               code_span(adapters::migration_error_summary(row.logs), 300));
        }
    }
    if (!s.modified.empty()) {
        out += fmt::format("\n• modified since applied (checksum differs): {}", listed(s.modified));
    }
    if (!s.missing.empty()) {
        out += fmt::format("\n• applied but no folder on disk: {}", listed(s.missing));
    }
    return out;
}

reply migrate_status_reply(const parsed_command& command, const command_context& context) {
    std::optional<database_tools> tools = context.platforms.database;
    if (!tools) {
        tools = make_database_tools(context.config, context.db);
    }
    if (!tools) {
        return {"Migrations are not configured (config: migrations).", false, true};
    }
    std::string text;
    bool any_error = false;
    for (const auto& environment : environments_of(command, *tools)) {
        if (!text.empty()) {
            text += "\n";
        }
        auto url = adapters::database_url_for(tools->databases, environment, tools->env);
        if (!url) {
            text += fmt::format("*{}*: {}", environment, escape_mrkdwn(url.error().message));
            any_error = true;
            continue;
        }
        auto status = adapters::read_prisma_status(*url, tools->migrations.workdir);
        if (!status) {
            text += fmt::format("*{}*: {}", environment, escape_mrkdwn(status.error().message));
            any_error = true;
            continue;
        }
        text += format_prisma_status(environment, *status);
    }
    if (text.empty()) {
        return {"No database configured (config: databases.staging / databases.production).", false, true};
    }
    return {text, false, any_error};
}

}  // namespace opsbot::commands
