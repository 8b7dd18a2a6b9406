#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// One row of `_prisma_migrations` (platforms.md §3.4). Times are ISO-8601 UTC with milliseconds
/// ("2026-11-27T10:15:00.123Z"), "" when NULL.
struct prisma_migration_row {
    std::string id;
    std::string name;
    std::string checksum;
    std::string started_at;
    std::string finished_at;
    std::string rolled_back_at;
    std::string logs;
    int applied_steps_count = 0;

    bool applied() const { return !finished_at.empty() && rolled_back_at.empty(); }
    bool failed() const { return finished_at.empty() && rolled_back_at.empty(); }
};

/// One folder prisma/migrations/<name>/migration.sql; checksum = SHA-256 hex of the file, as Prisma records it.
struct prisma_migration_folder {
    std::string name;
    std::string checksum;
};

/// Status computed like `prisma migrate status`, without the Prisma CLI (platforms.md §0, §3.4).
struct prisma_status {
    bool managed = true;  ///< false: no `_prisma_migrations` table ("not managed by Prisma Migrate")
    std::vector<prisma_migration_row> rows;        ///< ordered by started_at
    std::vector<prisma_migration_folder> folders;  ///< ordered by name
    std::vector<std::string> applied;   ///< folders with an applied row
    std::vector<std::string> pending;   ///< folders with no applied row and no failed row
    std::vector<std::string> failed;    ///< rows with finished_at NULL and rolled_back_at NULL
    std::vector<std::string> modified;  ///< applied, but the recorded checksum differs from the file's
    std::vector<std::string> missing;   ///< applied rows whose folder is gone

    bool up_to_date() const { return managed && pending.empty() && failed.empty() && modified.empty(); }
    const prisma_migration_row* applied_row(std::string_view name) const;
    const prisma_migration_folder* folder(std::string_view name) const;
};

/// Lists `<workdir>/prisma/migrations/*/migration.sql` by folder name, with checksums.
result<std::vector<prisma_migration_folder>> read_migration_folders(const std::string& workdir);

/// Reads `_prisma_migrations` with libpq; nullopt when the table does not exist.
/// Errors are redacted (libpq messages can echo connection details).
result<std::optional<std::vector<prisma_migration_row>>> read_migration_rows(const std::string& url);

/// Pure: classifies folders against rows.
prisma_status classify_migrations(std::optional<std::vector<prisma_migration_row>> rows,
                                  std::vector<prisma_migration_folder> folders);

/// Both of the above.
result<prisma_status> read_prisma_status(const std::string& url, const std::string& workdir);

/// What may be shown of a failed migration's `logs` (or of the deploy command's error output): Prisma's
/// "Database error code: …" line and PostgreSQL's primary "ERROR: …" line, else the first non-empty line,
/// joined by "; " and cut to about 300 characters. Never the rest: a DETAIL line or Prisma's DbError dump
/// quotes row data ("Key (email)=(…) is duplicated"). Empty for empty logs.
std::string migration_error_summary(std::string_view logs);

/// `output` without the lines that can quote row data: PostgreSQL's DETAIL / CONTEXT / WHERE lines and
/// Prisma's `DbError { … }` dump (for showing a deploy command's output after a failure).
std::string without_row_data(std::string_view output);

}  // namespace opsbot::adapters
