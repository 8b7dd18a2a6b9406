#include "commands/incident/secret_leaked.hpp"

#include "commands/incident/record.hpp"
#include "commands/rotate/plan.hpp"

namespace opsbot::commands {

std::string leaked_checklist_text(const stack_config& config, const std::string& secret) {
    std::string text = "Leaked-secret checklist (runbook §8), start now:";
    for (const auto& line : leaked_secret_checklist(config, secret)) {
        text += "\n\xE2\x80\xA2 " + line;
    }
    return text;
}

result<plan> plan_secret_leaked(const stack_config& config, const platform_registry& platforms,
                                const std::string& secret, const clock& clk) {
    rotate_request request;
    request.secret = secret;
    request.reason = "leaked";
    auto planned = plan_rotate(config, platforms, request, clk);
    if (!planned) {
        return planned;
    }
    // Impact lines are shown with the plan but are not part of its digest: the checklist never voids an approval.
    planned->impact.push_back(leaked_checklist_text(config, secret));
    return planned;
}

}  // namespace opsbot::commands
