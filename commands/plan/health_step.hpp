#pragma once

#include "commands/plan/step_kind.hpp"

#include <boost/describe/class.hpp>

#include <string>

namespace opsbot::commands {

/// The parameters of "health.check" (commands/plan/step_params.hpp).
struct health_check_params {
    std::string url;  ///< the service's /health URL
};
BOOST_DESCRIBE_STRUCT(health_check_params, (), (url))

/// "health.check": GET the step's `url` and require the runbook's {"status":"ok"} with every check ok.
/// Shared by every family whose plans change a running service (plan.hpp's health_check_step makes the step).
step_kind health_check_kind();

}  // namespace opsbot::commands
