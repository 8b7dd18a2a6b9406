// The Stop button (issue 12, docs/design.md "Actions and steps"): a running action's message carries it; the requester
// or an approver of the family presses it, and the executor (bot/actions/step_loop.cpp) ends the action before its
// next step — at once when the step waits for a person or a platform —, marks it stopped and frees its locks.
#include "bot/action_flow.hpp"

#include "core/mrkdwn.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

void action_flow::on_stop(const block_action& click) {
    auto found = clicked_action(click);
    if (!found) {
        return;
    }
    const storage::action_record& action = found->action;
    const std::string id = action.id.str();
    if (action.state != storage::action_state::running) {
        tell(click.channel, click.user,
             fmt::format("{} is not running (it is {}): there is nothing to stop.", id,
                         storage::to_string(action.state)));
        return;
    }
    const user_id user(click.user);
    if (user != action.requester && !approvers_for(action.family).contains(user)) {
        audit(click.user, action.id, "action.stop_refused", {{"reason", "neither the requester nor an approver"}});
        tell(click.channel, click.user,
             fmt::format("Only <@{}>, who requested {}, or an approver of `/{}` can stop it. Nothing was changed.",
                         escape_mrkdwn(action.requester.str()), id, action.family));
        return;
    }
    if (!controls_.request_stop(id, click.user)) {
        tell(click.channel, click.user, fmt::format("A stop of {} is already asked for: it stops before its next step.", id));
        return;
    }
    // Stopping is the safe direction: it goes ahead even if this entry cannot be written (logged by audit()).
    audit(click.user, action.id, "action.stop_requested", {{"by", click.user}});
    auto stored = waits_.get(action.id);
    const bool waiting = stored && *stored;
    auto poll = polls_.get(action.id);
    const bool polling = poll && *poll;
    tell(click.channel, click.user,
         fmt::format("{} stops before its next step{}.", id,
                     waiting   ? " (its wait for a person ends now)"
                     : polling ? " (its wait for the platform ends now; what the step sent is not undone)"
                               : "; the step running now finishes first"));
    post_in_thread(action, fmt::format(":octagonal_sign: Stop requested by <@{}>: {} stops before its next step.",
                                       escape_mrkdwn(click.user), id));
    // A step waiting for a person has no thread to wake: its stored wait is taken and the run ends here. (A wait
    // stored just after this looks is ended by hold_wait, which sees the stop request.)
    stop_held_wait(action, click.user);
    // Likewise a step waiting for a platform: its stored poll is taken (hold_poll ends one stored just after).
    stop_held_poll(action, click.user);
}

}  // namespace opsbot::bot
