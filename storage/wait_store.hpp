#pragma once
// Waits for a person as data (docs/design.md "Actions and steps"): a step that waits for a person stores its wait and
// releases its thread; a continue, Stop or the deadline takes the wait back exactly once (take()).

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace opsbot::storage {

/// One running action's step waiting for a person.
struct person_wait {
    action_id action;
    std::size_t step_index = 0;  ///< 0-based index of the waiting step in the action's plan
    std::string key;             ///< what the person names to continue it ("SENTRY_DSN"); one wait per key
    std::string requester;       ///< the one who may continue it
    clock::time_point deadline;
    boost::json::object memo;    ///< what the step read before the wait; never a secret value
};

class wait_store {
public:
    wait_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Stores a wait. conflict when the action already waits or another action waits on the same key (its id in
    /// the message); not_found for an unknown action.
    result<void> put(const person_wait& wait);

    /// The action's wait; nullopt when it waits for nobody.
    result<std::optional<person_wait>> get(const action_id& action);

    /// The wait on `key`; nullopt when nobody waits on it.
    result<std::optional<person_wait>> by_key(const std::string& key);

    /// Every stored wait, oldest action first.
    result<std::vector<person_wait>> all();

    /// Waits whose deadline is at or before `now`.
    result<std::vector<person_wait>> due(clock::time_point now);

    /// Removes the action's wait: true for the one caller that removed it (it ends or resumes the wait), false
    /// when there was none (someone else took it first).
    result<bool> take(const action_id& action);

private:
    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
