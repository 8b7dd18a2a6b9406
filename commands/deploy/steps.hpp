#pragma once

#include "commands/plan/step_kind.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace opsbot::commands {

// The parameter types of the deploy step kinds (commands/plan/step_params.hpp).

/// vercel.redeploy: /deploy names the `from` that must still be live when it acts; a rotation's redeploy says
/// `follow_live` (whatever is live then). `name` is the Vercel project the build is made under.
struct vercel_redeploy_params {
    std::string service;
    std::optional<std::string> from;
    std::string name;
    std::string target;
    bool latest_commit = false;
    std::optional<bool> follow_live;
};
BOOST_DESCRIBE_STRUCT(vercel_redeploy_params, (), (service, from, name, target, latest_commit, follow_live))

/// railway.redeploy: `from` ("" when nothing was live) for /deploy, `follow_live` for a rotation.
struct railway_redeploy_params {
    std::string service;
    std::string environment;
    std::optional<std::string> from;
    std::optional<bool> follow_live;
};
BOOST_DESCRIBE_STRUCT(railway_redeploy_params, (), (service, environment, from, follow_live))

/// verify.run.
struct verify_run_params {
    std::string environment;
};
BOOST_DESCRIBE_STRUCT(verify_run_params, (), (environment))

/// What every deploy and rollback step names: the service whose adapter its polls read.
struct service_step_params {
    std::string service;
};
BOOST_DESCRIBE_STRUCT(service_step_params, (), (service))

/// "vercel.redeploy", "railway.redeploy" and "verify.run". "verify.run" needs env.platforms.config and records
/// the verification in the audit log.
std::vector<step_kind> deploy_step_kinds();

}  // namespace opsbot::commands
