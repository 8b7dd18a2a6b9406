// Deployment polls are data, not threads (docs/design.md "Actions and steps"): a step that waits for a platform
// (a deployment settling, a Vercel alias job) runs its act part once, stores its poll (storage/poll_store: step,
// deadline, next poll, memo) and lets its worker go — keeping its locks, as the service is still being changed. The
// poll timer (sweep_polls, driven by the runtime) claims each due poll exactly once and polls it on the worker pool:
// unsettled, it is stored again for poll_interval later; settled, failed or past its deadline, the step ends and the
// run goes on on that worker. Stop takes the poll at any time. After a restart the stored polls are due at once and
// re-read the platform; the act part never runs again.
#include "bot/action_flow.hpp"

#include "core/log_context.hpp"
#include "metrics/opsbot_metrics.hpp"

#include "commands/plan/step_kind.hpp"
#include "core/mrkdwn.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

namespace {

/// How long a claimed poll is kept from the other claimers while it runs (one platform read, under the HTTP
/// client's deadline); a poll whose process died comes due again after it — or at once on the next start.
constexpr std::chrono::minutes poll_lease{10};

}  // namespace

std::optional<action_flow::run_end> action_flow::begin_poll(const storage::action_record& action,
                                                            const std::shared_ptr<run_context>& run, std::size_t i,
                                                            const commands::step_environment& env) {
    const auto& step = run->plan.steps[i];
    const commands::step_kind* kind = deps_.families.steps().find(step.kind);
    // Its duration metric times the acting part: the wait for the platform that follows is no work of the bot's.
    auto acted = metrics::timed_step(step.kind, [&] { return kind->act(step, env); });
    if (!acted) {
        return after_step(action, *run, i, std::unexpected(acted.error()), false);
    }
    if (acted->done) {
        return after_step(action, *run, i, *acted->done, false);
    }
    // In memory before it is stored: the poll timer may take it at once and must find this run (its view, its family
    // state), not rebuild one.
    {
        std::lock_guard lock(held_mutex_);
        held_[action.id.str()] = run;
    }
    storage::platform_poll poll{action.id, i, deps_.clk.now() + step.timeout, poll_clock_.now(), 0,
                                std::move(acted->memo)};
    if (auto stored = polls_.put(poll); !stored) {
        forget_held(action.id.str());
        // Not stored, not polled: the platform was asked, so the step cannot say how it ended.
        return after_step(action, *run, i,
                          fail(error_kind::unknown_outcome,
                               "it acted, but its wait for the platform could not be stored (" +
                                   stored.error().message + "); check the platform by hand"),
                          false);
    }
    run_end end;
    end.waiting = true;
    end.polling = true;
    end.step = i + 1;
    return end;
}

void action_flow::hold_poll(const storage::action_record& action) {
    // A Stop pressed while the poll was being stored found no poll to end: end it here (whoever takes it ends it).
    if (auto by = controls_.stop_requested(action.id.str())) {
        stop_held_poll(action, *by);
    }
}

void action_flow::sweep_polls() {
    const auto now = poll_clock_.now();
    auto due = polls_.due(now);
    if (!due) {
        spdlog::error("could not list the due polls: {}", due.error().message);
        return;
    }
    for (const auto& poll : *due) {
        const auto claimed = now + poll_lease;
        auto took = polls_.claim(poll.action, poll.next_poll, claimed);
        if (!took || !*took) {
            continue;  // claimed by another sweep, or taken by Stop
        }
        deps_.workers.post([this, poll, claimed] { poll_once(poll, claimed); });
    }
}

bool action_flow::polls_pending() {
    auto stored = polls_.count();
    return !stored || *stored > 0;  // unreadable: assume one is pending
}

void action_flow::poll_once(const storage::platform_poll& poll, clock::time_point claimed) {
    const std::string id = poll.action.str();
    auto action = actions_.get(poll.action);
    if (!action) {
        spdlog::error("{} polls but cannot be read: {}", id, action.error().message);
        return;  // stays claimed; due again after the lease
    }
    claim_resumed(poll.action);
    auto run = held_run(*action, poll.step_index);
    const std::size_t i = poll.step_index;
    if (i >= run->plan.steps.size()) {
        spdlog::error("{} polls at a step its plan does not have", id);
        return;
    }
    const auto& step = run->plan.steps[i];
    // The rest of the run continues here, on a pool thread no envelope started: its log lines name the action.
    log_context about;
    about.action = id;
    about.family = run->plan.family;
    about.step = step.kind;
    const scoped_log_context log_about(about);
    const commands::step_kind* kind = deps_.families.steps().find(step.kind);
    const int attempt = poll.polls + 1;
    result<commands::poll_verdict> verdict =
        kind != nullptr && kind->poll_check
            ? kind->poll_check(step, environment_for(*action, run->state.get()), poll.memo, attempt)
            : result<commands::poll_verdict>(fail(error_kind::internal, fmt::format("no poll for `{}`", step.kind)));
    if (verdict && !verdict->done && deps_.clk.now() < poll.deadline) {
        if (auto again = polls_.again(poll.action, claimed, poll_clock_.now() + deps_.poll_interval); !again) {
            spdlog::error("{}: could not store its next poll: {}", id, again.error().message);
        }
        return;  // this worker goes; the timer polls again (unless a Stop took the poll meanwhile)
    }
    result<std::string> outcome = !verdict        ? result<std::string>(std::unexpected(verdict.error()))
                                  : verdict->done ? result<std::string>(verdict->outcome)
                                                  : result<std::string>(std::unexpected(commands::poll_timeout(step, attempt)));
    auto took = polls_.take(poll.action, claimed);
    if (!took || !*took) {
        return;  // a Stop took it first and ended the run
    }
    forget_held(id);
    if (auto end = after_step(*action, *run, i, outcome, false)) {
        end_run(*action, *run, *end);
        return;
    }
    continue_run(*action, run, i + 1);
}

bool action_flow::stop_held_poll(const storage::action_record& action, const std::string& by) {
    auto poll = polls_.get(action.id);
    if (!poll || !*poll) {
        return false;
    }
    auto took = polls_.take(action.id);
    if (!took || !*took) {
        return false;  // its last poll took it first
    }
    auto run = held_run(action, (*poll)->step_index);
    forget_held(action.id.str());
    const std::size_t i = (*poll)->step_index;
    audit("opsbot", action.id, "step.stopped",
          {{"index", i + 1}, {"kind", run->plan.steps.at(i).kind}, {"by", by}, {"while", "polling the platform"}});
    run_end end = stopped_at(run->view, i, by);
    run->view.outcomes[i] =
        fmt::format("stopped by {} while it waited for the platform; what it had sent is not undone", by);
    end.stopped_while_waiting = true;
    end_run(action, *run, end);
    return true;
}

bool action_flow::poll_resumable(const storage::action_record& action, const storage::platform_poll& poll) {
    auto run = held_run(action, poll.step_index);
    if (auto why = cannot_resume(*run, poll.step_index)) {
        if (auto took = polls_.take(poll.action); took && *took) {
            end_not_resumed(action, *run, poll.step_index, *why);
        }
        return false;
    }
    return true;
}

void action_flow::resume_polls_at_startup() {
    auto stored = polls_.all();
    if (!stored) {
        spdlog::error("could not read the polls a previous run left: {}", stored.error().message);
        return;
    }
    if (stored->empty()) {
        return;
    }
    // Before any is due: a run whose steps left cannot go on with what survived the restart (e.g. they need a
    // secret value that lived only in the stopped process) ends now, its poll taken, not later at such a step.
    std::vector<storage::platform_poll> resumed;
    for (const auto& poll : *stored) {
        auto action = actions_.get(poll.action);
        if (!action) {
            continue;
        }
        if (poll_resumable(*action, poll)) {
            resumed.push_back(poll);
        }
    }
    // The previous process's claims died with it: every poll is due now and re-reads the platform.
    if (auto due = polls_.due_all_at(poll_clock_.now()); !due) {
        spdlog::error("could not resume the stored polls: {}", due.error().message);
        return;
    }
    for (const auto& poll : resumed) {
        auto action = actions_.get(poll.action);
        if (!action) {
            continue;
        }
        post_in_thread(*action, fmt::format(":hourglass: opsbot restarted; {} goes on waiting for the platform at "
                                            "step {} (what the step sent is not sent again).",
                                            poll.action.str(), poll.step_index + 1));
    }
}

void action_flow::resume_poll(const storage::action_record& action, const storage::platform_poll& poll,
                              const std::string& what) {
    if (!poll_resumable(action, poll)) {
        return;
    }
    // The dead replica's claim died with it: due now, for whichever poll timer claims it first.
    if (auto due = polls_.due_at(poll.action, poll_clock_.now()); !due) {
        spdlog::error("{}: could not resume its poll: {}", poll.action.str(), due.error().message);
        return;
    }
    post_in_thread(action, fmt::format(":hourglass: {}; {} goes on waiting for the platform at step {} (what the "
                                       "step sent is not sent again).",
                                       what, poll.action.str(), poll.step_index + 1));
}

}  // namespace opsbot::bot
