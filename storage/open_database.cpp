#include "storage/open_database.hpp"

#include "storage/postgres_connection.hpp"

#include <fmt/format.h>

namespace opsbot::storage {

std::unique_ptr<database> open_database(const stack_config& config, open_mode mode, env_lookup env) {
    if (!config.database_on_postgres()) {
        if (config.database.empty()) {
            throw database_error("the stack description names no database (\"database\": \"opsbot.db\" for SQLite, "
                                 "or { \"url_env\": \"OPSBOT_DATABASE_URL\" } for PostgreSQL)");
        }
        return std::make_unique<database>(config.database, mode);
    }
    const std::string& name = config.database_url_env;
    const auto url = env(name);
    if (!url || url->empty()) {
        throw database_error(fmt::format(
            "cannot open the bot's database: {} is {}; export the PostgreSQL URL there (database.url_env)", name,
            url ? "set but empty" : "not set"));
    }
    auto conn = open_postgres(*url);
    if (!conn) {
        // open_postgres's message never holds the password (storage/postgres_connection.hpp).
        throw database_error(fmt::format("cannot open the bot's database (PostgreSQL, URL from {}): {}", name,
                                         conn.error().message));
    }
    return std::make_unique<database>(std::move(*conn), postgres_label(*url), mode);
}

}  // namespace opsbot::storage
