#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/deploy`: status, the pre- and post-deploy checklists, deploys and deploy locks.
family_spec deploy_family();

}  // namespace opsbot::commands
