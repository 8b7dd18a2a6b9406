#pragma once

#include "commands/plan/platform_registry.hpp"
#include "config/config.hpp"

namespace opsbot::bot {

/// The real adapters for every configured service, sharing one HTTPS client. A service whose token
/// variable is unset is left out with a warning (check-config reports it too); its commands then say so.
/// Also the secret providers (secrets whose generate is resend/openai/posthog, token from provider.token_env)
/// and env_names (see set_env_names).
commands::platform_registry make_platform_registry(const stack_config& config, env_lookup env = process_env);

/// Sets registry.env_names from the registry's deploy platforms as they are now (call it once they are all in
/// place): each answers variable_names(environment) (adapters/deploy_platform.hpp). Only names are kept.
void set_env_names(commands::platform_registry& registry);

}  // namespace opsbot::bot
