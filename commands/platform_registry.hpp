#pragma once

#include "adapters/health.hpp"
#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "core/config.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace opsbot::storage {
class database;
}

namespace opsbot::commands {

/// What the database steps (/backup, /migrate) need at run time; the bot sets it when `migrations` is
/// configured (see make_database_tools in commands/backup_plan.hpp).
struct database_tools {
    migrations_config migrations;
    std::map<std::string, database_config> databases;  ///< env name -> url_env
    storage::database* audit_db = nullptr;             ///< where backups and verifications are recorded
    env_lookup env = process_env;                      ///< reads the URL variables (tests inject theirs)
};

/// The platform adapters of the configured services, by service name. Built by the bot from the config
/// (real adapters), or from sandboxes in the demo; commands and steps only see the interfaces.
struct platform_registry {
    /// The HTTPS client the real adapters share (null for sandboxes); declared first so it outlives them.
    std::shared_ptr<adapters::http_client> http;
    std::map<std::string, std::unique_ptr<adapters::vercel_platform>> vercel;
    std::map<std::string, std::unique_ptr<adapters::railway_platform>> railway;
    std::unique_ptr<adapters::health_checker> health;
    /// Backups and migrations; nullopt when not configured.
    std::optional<database_tools> database;
    /// Text added to every answer that used these platforms ("sandbox platforms" in the demo).
    std::string label;

    adapters::vercel_platform* vercel_of(const std::string& service) const;
    adapters::railway_platform* railway_of(const std::string& service) const;
};

}  // namespace opsbot::commands
