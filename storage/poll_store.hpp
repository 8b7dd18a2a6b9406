#pragma once
// Deployment polls as data (docs/design.md "Actions and steps"): a step waiting for a platform (a deployment
// settling, an alias job) stores its poll — the step, its deadline, when to poll next, what to poll (the memo) —
// and releases its thread. The poll timer claims a due poll exactly once (claim(): the row's next_poll moves only for
// the caller that saw it), polls, and stores it again (again()) or takes it (take()); Stop takes it at any time.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace opsbot::storage {

/// One running action's step waiting for a platform.
struct platform_poll {
    action_id action;
    std::size_t step_index = 0;  ///< 0-based index of the polling step in the action's plan
    clock::time_point deadline;  ///< on the bot's clock: past it, a poll that finds it unsettled fails the step
    clock::time_point next_poll; ///< on the poll clock (real time): when the poll is due; also the claim token
    int polls = 0;               ///< polls done so far
    boost::json::object memo;    ///< what the step's act part left to poll (a deployment id); never a secret value
};

class poll_store {
public:
    poll_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Stores a poll. conflict when the action already polls; not_found for an unknown action.
    result<void> put(const platform_poll& poll);

    /// The action's poll; nullopt when it polls nothing.
    result<std::optional<platform_poll>> get(const action_id& action);

    /// Every stored poll, oldest action first.
    result<std::vector<platform_poll>> all();

    /// Polls whose next_poll is at or before `now`, earliest first.
    result<std::vector<platform_poll>> due(clock::time_point now);

    /// Takes a due poll for one poll: moves its next_poll from `seen` to `until` (a lease while the poll runs). True
    /// for the one caller that moved it; false when another claimed it or it was taken (Stop).
    result<bool> claim(const action_id& action, clock::time_point seen, clock::time_point until);

    /// After a poll that found the platform unsettled, by the one that claimed it at `claimed`: due again at `next`,
    /// one more poll counted. False when the poll was taken meanwhile (Stop): the caller drops what it found.
    result<bool> again(const action_id& action, clock::time_point claimed, clock::time_point next);

    /// Removes the poll — only if it is still as claimed at `claimed`, when given. True for the one caller that
    /// removed it (it ends the step); false when someone else took it first.
    result<bool> take(const action_id& action, std::optional<clock::time_point> claimed = std::nullopt);

    /// Start-up: every stored poll is due at `now` (a previous process's claims died with it).
    result<void> due_all_at(clock::time_point now);

    /// One poll due at `now` (a replica took it over: the dead one's claim died with it). False when it is gone.
    result<bool> due_at(const action_id& action, clock::time_point now);

    /// How many polls are stored.
    result<std::size_t> count();

private:
    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
