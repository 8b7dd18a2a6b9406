#pragma once

#include "core/config.hpp"

#include <string>

namespace opsbot::commands {

/// The Slack app manifest (JSON) for the commands this build serves: Socket Mode and interactivity on,
/// one slash command per family (description and usage hint from its spec), bot scopes `commands`,
/// `chat:write`. Pretty-printed (2 spaces), stable key order, trailing newline.
/// The output depends only on the build's command specs, not on `config` (accepted so per-stack settings
/// can be added later without changing callers); `manifest/slack-app.json` must equal it.
std::string build_manifest_json(const stack_config& config);

/// Display name of the app and its bot user.
inline constexpr const char* app_name = "opsbot";

}  // namespace opsbot::commands
