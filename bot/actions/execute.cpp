// The executor (docs/design.md "Runtime model", "Actions and steps"): an approved action is re-planned and compared
// with the approved digest (bot/actions/replan.cpp), claims its locks (bot/actions/locks.cpp), runs its steps
// (bot/actions/step_loop.cpp) with the state its family asks for around a run (run_hooks::make_state), and is
// reported (bot/actions/report.cpp). It never names a family.
#include "bot/action_flow.hpp"

#include "core/mrkdwn.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::bot {

using storage::action_state;

void action_flow::refuse_to_run(const storage::action_record& action, const commands::plan& plan,
                                const std::string& reason, const std::string& note) {
    if (auto failed = actions_.transition(action.id, action_state::approved, action_state::failed, "opsbot",
                                          {{"reason", reason}});
        !failed) {
        spdlog::error("{} could not be marked failed ({}): {}", action.id.str(), reason, failed.error().message);
    }
    if (auto now = actions_.get(action.id)) {
        auto view = view_of(*now, plan);
        view.note = note;
        update_message(*now, plan, view);
    }
    post_in_thread(action, ":x: " + escape_mrkdwn(note));
}

void action_flow::execute(const storage::action_record& action) {
    commands::plan plan = plan_of(action);
    if (!still_approved(action, plan)) {
        return;
    }
    if (auto locked = claim_locks(action, plan, 0); !locked) {
        refuse_to_run(action, plan, "lock busy", "Not run: " + locked.error().message);
        return;
    }
    if (auto started = actions_.transition(action.id, action_state::approved, action_state::running, "opsbot");
        !started) {
        spdlog::error("{} could not start: {}", action.id.str(), started.error().message);
        release_locks(action);
        // Nothing ran; the action stays `approved` until the next start reports it interrupted.
        post_in_thread(action, ":x: Not run: opsbot could not record that it starts (" +
                                   escape_mrkdwn(started.error().message) + "). Nothing was changed.");
        return;
    }
    auto running = actions_.get(action.id);
    const storage::action_record& now = running ? *running : action;
    auto run = std::make_shared<run_context>();
    run->plan = std::move(plan);
    run->view = view_of(now, run->plan);
    // What the family keeps around this run (a rotation's secret vault, issue #6): it ends with the run.
    const auto& hooks = deps_.families.hooks_of(run->plan.family);
    run->state = hooks.make_state ? hooks.make_state() : nullptr;
    continue_run(now, std::move(run), 0);
}

void action_flow::continue_run(const storage::action_record& action, std::shared_ptr<run_context> run,
                               std::size_t from) {
    const run_end end = run_steps(action, run, from);
    if (end.waiting && end.polling) {
        hold_poll(action);  // this worker goes; the poll timer, Stop or the deadline resumes it
        return;
    }
    if (end.waiting) {
        hold_wait(action, std::move(run));  // this worker goes; a continue, Stop or the deadline resumes it
        return;
    }
    end_run(action, *run, end);
}

void action_flow::end_run(const storage::action_record& action, run_context& run, const run_end& end) {
    if (end.taken_elsewhere) {
        spdlog::warn("{} no longer runs here, before step {}: {}", action.id.str(), end.step, end.error);
        // Its step is over here, so the locks the takeover kept for it (storage/replica_store.cpp) can go now.
        if (auto now = actions_.get(action.id); now && storage::is_terminal(now->state)) {
            release_locks(*now);
        }
        controls_.forget(action.id.str());
        return;
    }
    finish(action, run.plan, run.view, end, run.state.get());
    controls_.forget(action.id.str());
}

}  // namespace opsbot::bot
