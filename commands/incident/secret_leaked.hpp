#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <string>

namespace opsbot::commands {

/// `/incident secret-leaked SECRET` (runbook §8 "Secret Leaked"): the rotation of plan_rotate (reason "leaked"),
/// with the leaked-secret checklist as an impact line, so it shows with the plan the moment it is posted. The
/// filled incident record is kept when the rotation ends (bot/incident_followup).
result<plan> plan_secret_leaked(const stack_config& config, const platform_registry& platforms,
                                const std::string& secret, const clock& clk);

/// The checklist as one mrkdwn-free text block: "Leaked-secret checklist (runbook §8), start now:\n• …".
std::string leaked_checklist_text(const stack_config& config, const std::string& secret);

}  // namespace opsbot::commands
