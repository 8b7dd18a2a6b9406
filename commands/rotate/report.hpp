#pragma once

#include "commands/plan/plan.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "config/config.hpp"

#include <string>

namespace opsbot::commands {

/// For the incident post after a `/rotate` run (escaped mrkdwn lines): per service of the secret whether its
/// platform holds the new value, the new value's fingerprint, and what happened to the old credential.
/// Never a value.
std::string rotate_state_mrkdwn(const stack_config& config, const plan& p, const secret_vault& vault, bool failed);

/// What to say when a provider rotation found no opsbot-managed old key, so revoked nothing: the previous key was
/// not made by opsbot and must be revoked by hand. `provider` is the generator ("resend", "openai").
std::string hand_revoke_text(const std::string& secret, const std::string& provider);

/// The rotated secret's name, from the plan's request ("" when the plan is not a rotation).
std::string rotated_secret(const plan& p);

}  // namespace opsbot::commands
