// Re-plan and compare (docs/design.md "Actions and steps"): an approval holds only for the plan that was approved.
// Right before an approved action runs, its request is planned again; a plan whose digest moved (a newer deployment
// appeared) does not run, and the fresh plan is posted for a fresh approval.
#include "bot/action_flow.hpp"

#include "core/mrkdwn.hpp"

namespace opsbot::bot {

bool action_flow::still_approved(const storage::action_record& action, const commands::plan& plan) {
    // A step the executor cannot read (a kind this build lacks, parameters of another shape) is refused before any
    // step runs rather than failing half-way.
    if (auto fits = deps_.families.steps().check(plan); !fits) {
        refuse_to_run(action, plan, "plan unreadable", "Not run: " + fits.error().message);
        return false;
    }
    auto fresh = deps_.families.plan_again(plan.request, {deps_.config, deps_.platforms, deps_.clk});
    if (!fresh) {
        refuse_to_run(action, plan, "re-plan failed", "Not run: could not re-check the plan: " + fresh.error().message);
        return false;
    }
    if (fresh->digest() == action.plan_digest) {
        return true;
    }
    refuse_to_run(action, plan, "plan changed",
                  "Not run: the plan changed since it was approved (the platform state moved, e.g. a newer deployment "
                  "appeared). A fresh request follows and needs a fresh approval.");
    audit("opsbot", action.id, "plan.changed", {{"old_digest", action.plan_digest}, {"new_digest", fresh->digest()}});
    commands::invocation inv{action.requester, action.channel, "/" + plan.family, ""};
    post_for_approval(inv, *fresh, "");
    return false;
}

}  // namespace opsbot::bot
