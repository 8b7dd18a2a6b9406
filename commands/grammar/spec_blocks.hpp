#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// Building blocks shared by the specs, so one argument looks the same in every family.
namespace spec {

inline arg_spec service() { return {"service", arg_kind::service, true, "<service>", ""}; }
inline arg_spec env_required() { return {"env", arg_kind::environment, true, "<env>", ""}; }
inline arg_spec env_optional(std::string default_value) {
    return {"env", arg_kind::environment, false, "[staging|production]", std::move(default_value)};
}
inline arg_spec secret() { return {"secret", arg_kind::secret, true, "<SECRET>", ""}; }
inline arg_spec reason() { return {"reason", arg_kind::text, true, "\"<reason>\"", ""}; }

inline flag_spec dry_run() { return {"dry-run", "", "show the plan and stop: nothing is changed"}; }
inline flag_spec break_glass() {
    return {"break-glass", "\"<reason>\"", "skip approval in an emergency (only where the policy allows it; audited)"};
}

}  // namespace spec

}  // namespace opsbot::commands
