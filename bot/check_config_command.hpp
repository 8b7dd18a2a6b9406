#pragma once

#include "config/config.hpp"

#include <ostream>
#include <string>

namespace opsbot::bot {

/// `opsbot check-config --config FILE`: prints every problem as `path: message` and a summary line
/// ("config OK: 2 services, 7 secrets, 6 policies" or "3 problems found"). Returns the exit code:
/// 0 only when there is no problem, 1 otherwise. Never prints the value of an environment variable. The database:
/// for an SQLite file, that its folder exists and is writable; for PostgreSQL, that the URL's variable is set (a
/// line "database: PostgreSQL, its URL in NAME …" before the summary); it never connects.
int run_check_config(const std::string& path, std::ostream& out, env_lookup env = process_env);

}  // namespace opsbot::bot
