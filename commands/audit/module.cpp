#include "commands/audit/module.hpp"

#include "commands/audit/spec.hpp"
#include "commands/audit/view.hpp"

namespace opsbot::commands {

family_module audit_module() {
    family_module out;
    out.commands.push_back(command_family{audit_family(), {{"", &run_audit_view, {}, {}}}});
    return out;
}

}  // namespace opsbot::commands
