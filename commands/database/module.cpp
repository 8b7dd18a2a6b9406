#include "commands/database/module.hpp"

#include "commands/database/backup_list.hpp"
#include "commands/database/backup_plan.hpp"
#include "commands/database/migrate_plan.hpp"
#include "commands/database/migrate_status.hpp"
#include "commands/database/spec.hpp"
#include "commands/database/steps.hpp"

namespace opsbot::commands {
namespace {

result<plan> migrate_plan_of(const stored_request& request, const plan_context& context) {
    return plan_migrate(context.config, context.platforms, request.subcommand, context.clk);
}

result<plan> backup_plan_of(const stored_request& request, const plan_context& context) {
    return plan_backup(context.config, request.subcommand);
}

}  // namespace

family_module database_module() {
    family_module out;
    out.commands.push_back(command_family{migrate_family(),
                                          {
                                              {"status", &migrate_status_reply, {}, {}},
                                              {"staging", {}, &migrate_plan_of, {}},
                                              {"production", {}, &migrate_plan_of, {}},
                                          }});
    // `/backup staging` runs at once (run_backup_now); production needs a plan and an approval.
    out.commands.push_back(command_family{backup_family(),
                                          {
                                              {"staging", &run_backup_now, {}, {}},
                                              {"production", {}, &backup_plan_of, {}},
                                              {"list", &backup_list_reply, {}, {}},
                                          }});
    out.steps = database_step_kinds();
    return out;
}

}  // namespace opsbot::commands
