#pragma once
// The bot's database as the stack description names it (issue 14): `"database": "opsbot.db"`, an SQLite file, or
// `"database": { "url_env": "OPSBOT_DATABASE_URL" }`, PostgreSQL whose URL is only in the environment.

#include <memory>
#include <string>

#include "config/config.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// Opens (and, in open_mode::create, migrates) the database `config` names: the SQLite file config.database, or the
/// PostgreSQL database whose URL is in the variable config.database_url_env, read through `env`. Throws
/// database_error with a message for the operator as is: the variable not set (named), the server unreachable or
/// refusing (libpq's reason), a migration failed. No message holds the URL or its password.
std::unique_ptr<database> open_database(const stack_config& config, open_mode mode = open_mode::create,
                                        env_lookup env = process_env);

}  // namespace opsbot::storage
