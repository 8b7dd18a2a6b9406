#pragma once

#include "commands/grammar/command_spec.hpp"
#include "config/config.hpp"

#include <string>
#include <vector>

namespace opsbot::commands {

/// The Slack app manifest (JSON) for the commands this build serves (`families`, in order): Socket Mode and
/// interactivity on, one slash command per family (description and usage hint from its spec), bot scopes
/// `commands`, `chat:write`. Pretty-printed (2 spaces), stable key order, trailing newline.
/// The output depends only on the build's command specs, not on `config` (accepted so per-stack settings
/// can be added later without changing callers); `manifest/slack-app.json` must equal it.
std::string build_manifest_json(const stack_config& config, const std::vector<const family_spec*>& families);

/// Display name of the app and its bot user.
inline constexpr const char* app_name = "opsbot";

}  // namespace opsbot::commands
