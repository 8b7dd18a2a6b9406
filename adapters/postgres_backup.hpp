#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// Where and how backups are made (from config.migrations).
struct backup_settings {
    std::string pg_dump = "pg_dump";
    std::string pg_restore = "pg_restore";
    std::string backup_dir = "backups";
    std::chrono::seconds timeout{std::chrono::minutes{15}};
    std::vector<std::string> env_passthrough;  ///< config: migrations.env_passthrough
};

/// A verified archive.
struct backup_file {
    std::string path;         ///< "<backup_dir>/<env>_<YYYYmmdd_HHMMSS>.dump"
    std::uintmax_t bytes = 0;
    std::string sha256;       ///< hex of the file's bytes
    int toc_entries = 0;      ///< lines of `pg_restore -l` that name an object
};

/// `pg_dump -Fc --no-owner -f <path>.partial` with the connection in PG* environment variables (never on the
/// command line, and the only variables besides the allowlist and env_passthrough), then `pg_restore -l` on the
/// archive, then rename to `<path>`. The backup directory is made 0700 (created so, or tightened) and the archive
/// is created 0600 before pg_dump writes into it. On any failure the partial file is removed (pg_dump leaves a
/// 0-byte one behind, docs/platforms.md §4) and the error says why; a server newer than pg_dump gets a message naming
/// both versions and the `migrations.pg_dump` setting. Blocking: run on a worker.
result<backup_file> take_backup(std::string_view environment, const std::string& url,
                                const backup_settings& settings, clock::time_point now);

/// At start: makes the backup directory 0700 if it exists with looser permissions, and every file in it 0600
/// (one log line each); a missing directory is left for the first backup to create.
result<void> secure_backup_dir(const std::string& backup_dir);

/// "staging_20261127_101500.dump" for that environment and UTC time.
std::string backup_file_name(std::string_view environment, clock::time_point now);

/// Lower-case hex SHA-256 of a file's bytes, read in chunks.
result<std::string> sha256_file(const std::string& path);

}  // namespace opsbot::adapters
