#pragma once

#include "commands/platform_registry.hpp"
#include "core/config.hpp"

namespace opsbot::bot {

/// The real adapters for every configured service, sharing one HTTPS client. A service whose token
/// variable is unset is left out with a warning (check-config reports it too); its commands then say so.
commands::platform_registry make_platform_registry(const stack_config& config, env_lookup env = process_env);

}  // namespace opsbot::bot
