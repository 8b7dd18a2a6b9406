#include "commands/planner.hpp"
#include "core/json_fields.hpp"

#include "commands/backup_plan.hpp"
#include "commands/deploy_plan.hpp"
#include "commands/incident_secret_leaked.hpp"
#include "commands/incident_site_down.hpp"
#include "commands/migrate_plan.hpp"
#include "commands/rollback_plan.hpp"
#include "commands/rotate_plan.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {


}  // namespace

boost::json::object plan_request_of(const parsed_command& command) {
    boost::json::object args;
    for (const auto& [name, value] : command.args) {
        args[name] = value;
    }
    return {{"family", command.family}, {"subcommand", command.subcommand}, {"args", std::move(args)}};
}

std::string request_arg(const boost::json::object& request, std::string_view name) {
    const auto* args = request.if_contains("args");
    return args != nullptr && args->is_object() ? json_string(args->get_object(), name) : std::string{};
}

bool is_planned(const parsed_command& command) {
    if (command.family == "migrate") {
        return command.subcommand == "staging" || command.subcommand == "production";
    }
    if (command.family == "backup") {
        return command.subcommand == "production";  // `/backup staging` runs directly: run_backup_now
    }
    if (command.family == "deploy" && command.subcommand.empty()) {
        return command.arg("env").value_or("production") == "production";  // staging: deploy_now_reply
    }
    if (command.family == "rotate") {
        return !command.has_flag("continue");  // `--continue` is answered: rotate_continue_reply
    }
    if (command.family == "incident") {
        return command.subcommand == "site-down" || command.subcommand == "secret-leaked";
    }
    return command.family == "rollback";
}

result<plan> make_plan(const stack_config& config, const platform_registry& platforms,
                       const boost::json::object& request, const clock& clk) {
    const std::string family = json_string(request, "family");
    result<plan> planned = fail(error_kind::unavailable, fmt::format("`/{}` cannot be planned in this build", family));
    if (family == "rollback") {
        rollback_request r;
        r.service = request_arg(request, "service");
        if (auto named = request_arg(request, "deployment"); !named.empty()) {
            r.deployment = named;
        }
        planned = plan_rollback(config, platforms, r, clk);
    }
    if (family == "migrate") {
        planned = plan_migrate(config, platforms, json_string(request, "subcommand"), clk);
    }
    if (family == "deploy" && json_string(request, "subcommand").empty()) {
        deploy_request d{request_arg(request, "service"), request_arg(request, "env")};
        if (d.environment.empty()) {
            d.environment = "production";
        }
        planned = plan_deploy(config, platforms, d, clk);
    }
    if (family == "backup") {
        planned = plan_backup(config, json_string(request, "subcommand"));
    }
    if (family == "rotate") {
        rotate_request r{request_arg(request, "secret"), "production", json_string(request, "reason")};
        planned = plan_rotate(config, platforms, r, clk);
    }
    if (family == "incident" && json_string(request, "subcommand") == "site-down") {
        planned = plan_site_down(config, platforms, clk);
    }
    if (family == "incident" && json_string(request, "subcommand") == "secret-leaked") {
        planned = plan_secret_leaked(config, platforms, request_arg(request, "secret"), clk);
    }
    if (planned) {
        planned->request = request;
    }
    return planned;
}

}  // namespace opsbot::commands
