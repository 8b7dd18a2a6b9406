#pragma once
// Applies the bot's schema migrations over any sql::connection (docs/design.md "Layers": one database layer).

#include <span>
#include <string>

#include "storage/schema_migrations.hpp"
#include "storage/sql.hpp"

namespace opsbot::storage {

/// The highest migration recorded in `schema_version`. Throws database_error when there is no such table (not an
/// opsbot database), sql::error for anything else.
int read_schema_version(sql::connection& conn, const std::string& name);

/// Refuses (database_error, naming `name`) a database whose version is newer than the last of `steps`.
void check_not_newer(const std::string& name, int version, std::span<const migration> steps);

/// The highest version in `steps`; 0 for none.
int latest_version(std::span<const migration> steps);

/// Creates `schema_version` if missing, then applies every step newer than it, in one write transaction, recording
/// each. A failed step leaves the database as it was and throws database_error naming `name`.
void apply_migrations(sql::connection& conn, std::span<const migration> steps, const std::string& name);

}  // namespace opsbot::storage
