#pragma once

#include "commands/parser.hpp"
#include "commands/plan.hpp"
#include "commands/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace opsbot::commands {

/// The stored form of a destructive request: {"family":"rollback","subcommand":"","args":{"service":"web"}}.
/// It is kept with the action, so the executor can re-plan from it right before running.
boost::json::object plan_request_of(const parsed_command& command);

/// An argument of a stored request; empty when absent.
std::string request_arg(const boost::json::object& request, std::string_view name);

/// True when `command` is carried out as a plan with a second person's approval (rather than answered).
bool is_planned(const parsed_command& command);

/// Plans a stored request. The returned plan carries `request` unchanged.
result<plan> make_plan(const stack_config& config, const platform_registry& platforms,
                       const boost::json::object& request, const clock& clk);

}  // namespace opsbot::commands
