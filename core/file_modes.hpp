#pragma once

#include "core/error.hpp"

#include <string>

namespace opsbot {

/// docs/design.md "Security rules": the files the bot writes (its database, backups) are readable by its owner only.

/// Takes the group and other permission bits off `path` when it has any (0644 -> 0600, 0755 -> 0700) and logs one
/// line naming the path, the old and the new mode. True when it changed something; false when the path is already
/// private or does not exist. An error when it cannot be read or changed (another owner, say).
result<bool> tighten_mode(const std::string& path);

/// Creates `path` (and each missing parent) as a directory of mode 0700, or tightens it as tighten_mode does when
/// it exists already. An error when it cannot be created or is not a directory.
result<void> make_private_directory(const std::string& path);

/// Creates `path` as an empty file of mode 0600; an error when it exists already (nothing is overwritten).
result<void> create_private_file(const std::string& path);

}  // namespace opsbot
