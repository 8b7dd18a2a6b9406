#pragma once
// Pieces of the /rotate plan shared by rotate_plan.cpp and rotate_texts.cpp (not a public interface).

#include "commands/platform_registry.hpp"
#include "commands/rotate_plan.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

#include <string>
#include <vector>

namespace opsbot::commands {

/// Where a re-encrypted secret's new value is staged before any credential is re-encrypted with it:
/// "CREDENTIAL_ENCRYPTION_KEY" -> "CREDENTIAL_ENCRYPTION_KEY_NEXT" (issue 12 item 4).
inline std::string staged_name(const std::string& secret) { return secret + "_NEXT"; }

/// The exact way back when a rotation of `secret` stops half-way (the plan's next_step_on_failure).
std::string rotate_way_back(const secret_config& secret);

/// The lines shown with the approval request: the config's impact, the runbook's words for the secret, and
/// for a leak the runbook §8 follow-ups.
std::vector<std::string> rotate_impact(const secret_config& secret, const rotate_request& request);

/// Every service of the secret is configured, has an adapter and the environment; the provider of an API
/// generator is configured; a re-encryption has a Railway service to read the old key from.
result<void> check_rotatable(const stack_config& config, const platform_registry& platforms,
                             const secret_config& secret, const std::string& environment);

}  // namespace opsbot::commands
