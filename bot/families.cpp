#include "bot/families.hpp"

#include "commands/audit/module.hpp"
#include "commands/database/module.hpp"
#include "commands/deploy/module.hpp"
#include "commands/incident/module.hpp"
#include "commands/rollback/module.hpp"
#include "commands/rotate/module.hpp"

namespace opsbot::bot {

const commands::family_set& opsbot_families() {
    // In the manifest's order.
    static const commands::family_set families({
        commands::deploy_module(),
        commands::rollback_module(),
        commands::rotate_module(),
        commands::database_module(),  // /migrate, /backup
        commands::audit_module(),
        commands::incident_module(),
    });
    return families;
}

}  // namespace opsbot::bot
