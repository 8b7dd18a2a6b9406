#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <string>

namespace opsbot::commands {

/// What `/rotate SECRET` (or `/incident secret-leaked SECRET`) asks for.
struct rotate_request {
    std::string secret;      ///< a key of config.secrets, e.g. "OPENAI_API_KEY"
    std::string environment = "production";
    std::string reason;      ///< "leaked" for /incident secret-leaked; shown in the plan title and impact
};

/// The runbook §6 procedure for one secret as a plan: new credential → write to every platform holding it →
/// redeploy each affected service → verify → revoke the old credential (API or checklist line).
/// Refuses (invalid_input / forbidden with the runbook's words) an unknown secret, and CREDENTIAL_ENCRYPTION_KEY
/// without a reencrypt_command. Plan steps never carry a secret value.
result<plan> plan_rotate(const stack_config& config, const platform_registry& platforms, const rotate_request& request,
                         const clock& clk);

}  // namespace opsbot::commands
