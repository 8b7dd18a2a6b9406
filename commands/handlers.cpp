#include "commands/handlers.hpp"

#include "commands/deploy_check.hpp"
#include "commands/deploy_plan.hpp"
#include "commands/deploy_status.hpp"
#include "commands/deploy_verify.hpp"

#include "commands/audit_view.hpp"
#include "commands/backup_list.hpp"
#include "commands/backup_plan.hpp"
#include "commands/incident_errors.hpp"
#include "commands/incident_migration.hpp"
#include "commands/migrate_status.hpp"
#include "commands/lock_commands.hpp"
#include "commands/rotate_continue.hpp"

#include <map>
#include <string>

namespace opsbot::commands {
namespace {

// Each feature adds its answers here: "family subcommand" (subcommand empty for the default form).
const std::map<std::string, handler_fn, std::less<>>& handler_table() {
    static const std::map<std::string, handler_fn, std::less<>> table{
        {"backup staging", &run_backup_now},
        {"backup list", &backup_list_reply},
        {"migrate status", &migrate_status_reply},
        {"incident migration-failed", &migration_failed_reply},
        {"incident errors", static_cast<handler_fn>(&incident_errors_reply)},
        {"deploy lock", &run_deploy_lock},
        {"deploy unlock", &run_deploy_unlock},
        {"audit ", &run_audit_view},
        {"deploy status", static_cast<handler_fn>(&deploy_status_reply)},
        {"deploy check", &deploy_check_reply},
        {"deploy verify", &deploy_verify_reply},
        {"deploy ", &deploy_now_reply},
        {"rotate ", &rotate_continue_reply},  // `/rotate SECRET --continue`; without the flag it is planned  // `/deploy <service> staging`; production is planned (is_planned)
    };
    return table;
}

}  // namespace

handler_fn find_handler(const parsed_command& command) {
    const auto& table = handler_table();
    auto it = table.find(command.family + " " + command.subcommand);
    return it == table.end() ? nullptr : it->second;
}

}  // namespace opsbot::commands
