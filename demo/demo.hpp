#pragma once

#include "config/config.hpp"

#include <string>
#include <vector>

namespace opsbot::demo {

/// `opsbot demo`: the real bot against the built-in Slack simulator and sandbox platforms, with a terminal
/// where lines like `U01: /deploy help` or `U02: click approve A-1` are sent as those users.
int run_demo(const std::vector<std::string>& args);

/// The demo's stack description: three users (U01 deploys; U02 and U03 deploy and approve), an ops and an
/// incident channel, the sandbox services, and the Web API at `api_url`.
stack_config demo_config(const std::string& api_url, const std::string& database_path);

}  // namespace opsbot::demo
