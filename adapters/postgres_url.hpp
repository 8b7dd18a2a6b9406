#pragma once

#include "config/config.hpp"
#include "core/error.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// A PostgreSQL URL turned into libpq environment variables for a child process (pg_dump, pg_restore),
/// so that the URL and its password never appear on a command line (visible in `ps`). The child starts from an
/// empty environment (adapters/subprocess.hpp), so the parent's own PG* variables never mix in.
struct pg_child_env {
    std::map<std::string, std::string> set;  ///< PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …
};

/// Splits `url` with libpq's PQconninfoParse. The error never quotes the URL.
result<pg_child_env> pg_env_from_url(std::string_view url);

/// The database name the URL names ("" when it names none).
std::string pg_database_name(std::string_view url);

/// The value the URL gives a libpq keyword ("options", "connect_timeout"…), "" when none.
std::string pg_url_value(std::string_view url, std::string_view keyword);

/// The URL of `environment`'s database: the value of the env var named by config.databases.<env>.url_env.
/// Registers the URL and its password with global_redactor() before returning it.
/// Errors name the environment and the variable, never the value.
result<std::string> database_url_for(const std::map<std::string, database_config>& databases,
                                     std::string_view environment, env_lookup env = process_env);

/// Registers a URL (and the password inside it) with global_redactor().
void register_database_url(std::string_view url);

}  // namespace opsbot::adapters
