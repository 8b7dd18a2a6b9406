#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::bot {

/// Every command family this build serves — the one place that lists them (docs/design.md "Layers"). Adding a family
/// is a folder under commands/ and a line in bot/families.cpp.
const commands::family_set& opsbot_families();

}  // namespace opsbot::bot
