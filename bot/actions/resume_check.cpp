// A run resumed after a restart gets its family's state afresh (docs/design.md "Actions and steps"): for a rotation,
// an empty secret vault, as secret values are never stored. Its family says whether the steps left can still run
// (run_hooks::cannot_resume); when not, the run ends at once — its stored wait or poll taken, failed with the
// family's words, reported like any failure and its locks freed — rather than failing later at a step that needs
// what the stopped process held. The executor never names a family.
#include "bot/action_flow.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::bot {

std::optional<std::string> action_flow::cannot_resume(const run_context& run, std::size_t at) const {
    const auto& hooks = deps_.families.hooks_of(run.plan.family);
    if (!hooks.cannot_resume) {
        return std::nullopt;
    }
    return hooks.cannot_resume(run.plan, at);
}

void action_flow::end_not_resumed(const storage::action_record& action, run_context& run, std::size_t at,
                                  const std::string& why) {
    spdlog::warn("{}: not resumed after the restart at step {}", action.id.str(), at + 1);
    forget_held(action.id.str());
    error refusal;
    refusal.kind = error_kind::unavailable;
    refusal.message = why;
    run_end end = step_failed(action, run, at, refusal, {{"not_resumed", "the family's state did not survive the restart"}});
    skip_from(run.view, at + 1);
    // The fresh state knows nothing of what ran before the restart: its report would be wrong, so the family's
    // words above stand alone.
    run.state.reset();
    end_run(action, run, end);
}

}  // namespace opsbot::bot
