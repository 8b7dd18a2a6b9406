// The approved migrations (names + migration.sql checksums), checked before and after the deploy command.
#include "commands/database/migrate_guard.hpp"

#include "adapters/postgres_url.hpp"
#include "commands/database/migrate_plan.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

constexpr std::string_view changed = "production changed since approval: ";

std::string short_sum(const std::string& checksum) { return checksum.substr(0, 12); }

std::string listed(const std::vector<approved_migration>& list) {
    std::string out;
    for (const auto& m : list) {
        out += fmt::format("{}`{}` ({})", out.empty() ? "" : ", ", m.name, short_sum(m.checksum));
    }
    return out.empty() ? "none" : out;
}

std::set<std::string> applied_names(const adapters::prisma_status& status) {
    std::set<std::string> out;
    for (const auto& row : status.rows) {
        if (row.applied()) {
            out.insert(row.name);
        }
    }
    return out;
}

/// The files on disk against the approved list: same folders pending, same bytes.
std::optional<std::string> files_differ(const std::vector<approved_migration>& approved,
                                        const adapters::prisma_status& now) {
    std::set<std::string> approved_names;
    for (const auto& m : approved) {
        approved_names.insert(m.name);
        const auto* folder = now.folder(m.name);
        if (folder == nullptr) {
            return fmt::format("the approved migration `{}` has no folder on disk any more", m.name);
        }
        if (folder->checksum != m.checksum) {
            return fmt::format("`{}/migration.sql` was edited after approval (checksum {} approved, {} now)", m.name,
                               short_sum(m.checksum), short_sum(folder->checksum));
        }
    }
    for (const auto& name : now.pending) {
        if (!approved_names.contains(name)) {
            return fmt::format("the migration `{}` appeared after approval and is not part of the approved plan",
                               name);
        }
    }
    for (const auto& name : approved_names) {
        if (now.applied_row(name) != nullptr) {
            return fmt::format("`{}` is already applied (by someone else since approval)", name);
        }
    }
    if (!now.failed.empty()) {
        return fmt::format("`{}` failed since approval (prisma migrate deploy would refuse, P3009)", now.failed.front());
    }
    return std::nullopt;
}

/// "Production only after staging applied the same migrations": each approved one applied there with its checksum.
std::optional<std::string> staging_differs(const std::vector<approved_migration>& approved,
                                           const adapters::prisma_status& staging) {
    for (const auto& m : approved) {
        const auto* row = staging.applied_row(m.name);
        if (row == nullptr) {
            return fmt::format("staging no longer shows `{}` applied", m.name);
        }
        if (row->checksum != m.checksum) {
            return fmt::format("staging applied `{}` from a different migration.sql (checksum {} there, {} approved)",
                               m.name, short_sum(row->checksum), short_sum(m.checksum));
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<approved_migration> approved_of(const adapters::prisma_status& status) {
    std::vector<approved_migration> out;
    for (const auto& name : status.pending) {
        const auto* folder = status.folder(name);
        out.push_back({name, folder != nullptr ? folder->checksum : ""});
    }
    return out;
}

result<void> check_before_deploy(const migrate_deploy_params& step, const database_tools& tools,
                                 const std::string& url, const clock& clk) {
    const auto& approved = step.approved;
    if (approved.empty()) {
        return fail(error_kind::internal, "prisma.deploy: the plan carries no approved migrations (re-plan it)");
    }
    auto now = adapters::read_prisma_status(url, tools.migrations.workdir);
    if (!now) {
        return std::unexpected(now.error());
    }
    if (auto why = files_differ(approved, *now)) {
        return fail(error_kind::changed_since_approval,
                    fmt::format("{}{}. Approved: {}. Nothing was applied; request /migrate again to review the "
                                "current files.",
                                changed, *why, listed(approved)));
    }
    if (step.environment == "production") {
        auto staging_url = adapters::database_url_for(tools.databases, "staging", tools.env);
        if (!staging_url) {
            return std::unexpected(staging_url.error());
        }
        auto staging = adapters::read_prisma_status(*staging_url, tools.migrations.workdir);
        if (!staging) {
            return std::unexpected(staging.error());
        }
        std::optional<std::string> why = staging_differs(approved, *staging);
        if (!why) {
            why = production_gate(*staging, *now, tools.audit_db, clk);
        }
        if (why) {
            return fail(error_kind::changed_since_approval,
                        fmt::format("{}{}. Nothing was applied to production.", changed, *why));
        }
    }
    return {};
}

result<std::set<std::string>> applied_before_deploy(const database_tools& tools, const std::string& url) {
    auto now = adapters::read_prisma_status(url, tools.migrations.workdir);
    if (!now) {
        return std::unexpected(now.error());
    }
    return applied_names(*now);
}

result<void> check_after_deploy(const migrate_deploy_params& step, const std::set<std::string>& applied_before,
                                const adapters::prisma_status& after) {
    const auto& approved = step.approved;
    std::vector<approved_migration> ran;
    for (const auto& row : after.rows) {
        if (row.applied() && !applied_before.contains(row.name)) {
            ran.push_back({row.name, row.checksum});
        }
    }
    bool same = ran.size() == approved.size();
    for (const auto& m : approved) {
        const auto* row = after.applied_row(m.name);
        same = same && row != nullptr && row->checksum == m.checksum && !applied_before.contains(m.name);
    }
    if (!same) {
        return fail(error_kind::conflict,
                    fmt::format("the deploy command finished, but _prisma_migrations does not show exactly the approved "
                                "migrations. Approved: {}. Applied by this run: {}. Check the database by hand "
                                "(runbook §8) before anything else runs.",
                                listed(approved), listed(ran)));
    }
    return {};
}

}  // namespace opsbot::commands
