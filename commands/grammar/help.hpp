#pragma once

#include "commands/grammar/command_spec.hpp"
#include "config/config.hpp"

#include <string>

namespace opsbot::commands {

/// `/deploy help`: every form with its usage, summary and availability, the flags, examples, the valid
/// services/secrets from the config and the policy. Escaped mrkdwn, generated from the spec.
std::string family_help(const family_spec& family, const stack_config& config);

/// `/deploy lock help`: that form's usage, summary, flags and examples.
std::string subcommand_help(const family_spec& family, const subcommand_spec& sub, const stack_config& config);

}  // namespace opsbot::commands
