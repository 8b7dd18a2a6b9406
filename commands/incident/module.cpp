#include "commands/incident/module.hpp"

#include "commands/incident/errors.hpp"
#include "commands/incident/migration_failed.hpp"
#include "commands/incident/secret_leaked.hpp"
#include "commands/incident/site_down.hpp"
#include "commands/incident/spec.hpp"

namespace opsbot::commands {
namespace {

result<plan> site_down_plan(const stored_request&, const plan_context& context) {
    return plan_site_down(context.config, context.platforms, context.clk);
}

result<plan> secret_leaked_plan(const stored_request& request, const plan_context& context) {
    return plan_secret_leaked(context.config, context.platforms, request.arg("secret"), context.clk);
}

reply errors(const parsed_command& command, const command_context& context) {
    return incident_errors_reply(command, context);
}

}  // namespace

family_module incident_module() {
    family_module out;
    // Its plans are made of the rollback and rotate families' step kinds, which those families contribute.
    out.commands.push_back(command_family{incident_family(),
                                          {
                                              {"site-down", {}, &site_down_plan, {}},
                                              {"secret-leaked", {}, &secret_leaked_plan, {}},
                                              {"migration-failed", &migration_failed_reply, {}, {}},
                                              {"errors", &errors, {}, {}},
                                          }});
    return out;
}

}  // namespace opsbot::commands
