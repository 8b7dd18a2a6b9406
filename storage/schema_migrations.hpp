#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace opsbot::storage {

/// One step of the bot's schema. Numbers start at 1 and never change once released; a new table or
/// column is a new migration at the end of the list.
struct migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

/// All migrations of an SQLite database, in order.
std::span<const migration> schema_migrations();

/// All migrations of a PostgreSQL database, in order (storage/schema_postgres.cpp). Their versions share the SQLite
/// numbering, so one number says what a database holds on either engine: the first is the whole SQLite schema of its
/// version at once; each later SQLite migration gets its PostgreSQL twin with the same number.
const std::vector<migration>& postgres_schema_migrations();

}  // namespace opsbot::storage
