#pragma once

#include "adapters/betterstack.hpp"
#include "adapters/deploy_platform.hpp"
#include "adapters/github.hpp"
#include "adapters/health.hpp"
#include "adapters/secret_provider.hpp"
#include "adapters/sentry.hpp"
#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "config/config.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
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
    /// Each service's deploy platform, whatever it is (adapters/deploy_platform.hpp explains the design): code
    /// that reads deployments uses it as is; a step that exists for one platform reaches that platform's own
    /// operations from the same entry (vercel_of / railway_of). A service whose token is unset has no entry.
    std::map<std::string, std::unique_ptr<adapters::deploy_platform>> deploy;
    std::unique_ptr<adapters::health_checker> health;
    /// Backups and migrations; nullopt when not configured.
    std::optional<database_tools> database;
    /// Text added to every answer that used these platforms ("sandbox platforms" in the demo).
    std::string label;
    /// Monitoring adapters (config.monitoring); null when that section or its token is missing.
    std::unique_ptr<adapters::github_ci> github_ci;
    std::unique_ptr<adapters::sentry_issues> sentry_issues;
    std::unique_ptr<adapters::betterstack_monitors> betterstack_monitors;
    /// The names (never the values) of a service's environment variables in one environment, for
    /// `/deploy check`. Empty until the platform adapters can list variables; the check then says so.
    std::function<result<std::set<std::string>>(const std::string& service, const std::string& environment)>
        env_names;
    /// Key-making providers for /rotate, by secret name (config.secrets.<name>.generate = resend|openai|posthog);
    /// a secret whose provider token is missing is left out and its rotation says so.
    std::map<std::string, std::unique_ptr<adapters::secret_provider>> secret_providers;
    /// The stack description, for steps that need more than the adapters ("verify.run"); set by the bot.
    const stack_config* config = nullptr;
    /// The bot's own database (its audit log), set by the bot whatever else is configured: rollback plans read
    /// the rotations since their target there, and verify.run records its checklist there. Null in unit tests.
    storage::database* audit_db = nullptr;

    /// The service's deploy platform, or null when it has none.
    adapters::deploy_platform* deploy_of(const std::string& service) const;
    /// deploy_of(service)->as_vercel(): null when the service has no adapter or is not on Vercel.
    adapters::vercel_platform* vercel_of(const std::string& service) const;
    /// deploy_of(service)->as_railway(): null when the service has no adapter or is not on Railway.
    adapters::railway_platform* railway_of(const std::string& service) const;
};

/// The configured service `name`, or invalid_input "No service `name` in the config."
result<const service_config*> find_service(const stack_config& config, const std::string& name);

/// The deploy platform of `service` (never null), or unavailable "No Vercel adapter for `web`." (the platform the
/// config names: an adapter is missing when its token is unset).
result<adapters::deploy_platform*> deploy_adapter(const platform_registry& platforms, const service_config& service);

}  // namespace opsbot::commands
