#pragma once

#include "commands/plan/step_kind.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace opsbot::commands {

/// The parameters of vercel.rollback and railway.rollback (commands/plan/step_params.hpp): from the live `from` to
/// `to`; `mode` rollback | promote | rebuild (Vercel) or rollback | redeploy (Railway); `keeps_rotated` names the
/// rotated secrets a rebuild or redeploy keeps. Vercel's plans name no environment (production only).
struct rollback_step_params {
    std::string service;
    std::optional<std::string> environment;
    std::string from;
    std::string to;
    std::string mode;
    std::optional<std::vector<std::string>> keeps_rotated;
};
BOOST_DESCRIBE_STRUCT(rollback_step_params, (), (service, environment, from, to, mode, keeps_rotated))

/// "vercel.rollback" (instant rollback, promote, or a rebuild that keeps the current environment) and
/// "railway.rollback" (deploymentRollback, or deploymentRedeploy when a rotation is newer than the target).
/// Both have a precondition (step_kind::precondition): the plan's `from` is still live right before they act.
std::vector<step_kind> rollback_step_kinds();

}  // namespace opsbot::commands
