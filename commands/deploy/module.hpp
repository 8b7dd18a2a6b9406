#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/deploy`: status, the pre- and post-deploy checklists, deploys and deploy locks — its slash command, how each subcommand is served, and its step kinds.
family_module deploy_module();

}  // namespace opsbot::commands
