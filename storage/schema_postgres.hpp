#pragma once
// The bot's schema on PostgreSQL (issue 14): the same tables, constraints and triggers as the SQLite schema after
// all of storage/schema_migrations.cpp, in PostgreSQL's DDL.

#include "storage/schema_migrations.hpp"

#include <string_view>
#include <vector>

namespace opsbot::storage {

/// The PostgreSQL migrations, in order. Their versions share the SQLite numbering (database::latest_schema_version()),
/// so one number says what a database holds on either engine: the first is the whole SQLite schema of its version at
/// once; each later SQLite migration gets its PostgreSQL twin with the same number.
const std::vector<opsbot::storage::migration>& postgres_schema_migrations();

/// The table a migration runner records applied versions in on PostgreSQL (CREATE TABLE IF NOT EXISTS, so it can run
/// before the first migration; the first migration creates it too): version BIGINT PRIMARY KEY, description TEXT NOT
/// NULL, applied_at_ms BIGINT (ms since the epoch).
std::string_view postgres_schema_version_sql();

}  // namespace opsbot::storage
