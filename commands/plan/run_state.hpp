#pragma once
// What a family keeps around one run of its plan (docs/design.md "Actions and steps"): the executor asks the family
// for it (family_module::run, commands/grammar/family.hpp) and never knows what it holds — for a rotation, the
// secret vault its steps share.

#include "commands/plan/plan.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>

namespace opsbot::commands {

struct step_environment;

/// One run's family state: created before the first step, destroyed when the run ends (or, for a run waiting for
/// a person, kept while it waits). Used by one run at a time.
class run_state {
public:
    virtual ~run_state() = default;

    /// Lets the run's steps reach the state (e.g. sets step_environment::vault).
    virtual void attach(step_environment& env) = 0;
    /// What a succeeded step's audit entry adds (a fingerprint, never a secret value).
    virtual void describe_success(const plan_step& step, boost::json::object& detail) const = 0;
    /// Escaped mrkdwn lines for the incident notice at the end of the run; empty: none.
    virtual std::string report_mrkdwn(const stack_config& config, const plan& p, bool ended_badly) const = 0;
    /// The incident notice's next step after a success; empty: the executor's own.
    virtual std::string next_step_after_success() const = 0;
};

/// Where a person's continue meets a step that waits for them (the rotation's continue board). The executor holds a
/// wait there while the wait is stored (no thread waits) and is called back on each continue.
class person_wait_board {
public:
    virtual ~person_wait_board() = default;
    /// `action`'s step waits on `key` for `requester`: their continue calls the continue hook. conflict (naming
    /// the other action) when another action already waits on `key`.
    virtual result<void> hold(const std::string& key, const std::string& requester, const std::string& action) = 0;
    /// What a continue of a held wait runs (on the continuing person's worker): the answer they are told. Set once,
    /// before the bot serves commands.
    virtual void on_continue(std::function<result<std::string>(const std::string& action)> hook) = 0;
    /// Replicas (issue 14): where the waits are stored, so that a continue reaches a wait whichever process stored
    /// it. `find` answers who waits on a key (the requester, the action), or nullopt; set once, with on_continue.
    struct stored_waiter {
        std::string requester;
        std::string action;
    };
    virtual void on_lookup(std::function<result<std::optional<stored_waiter>>(const std::string& key)> find) = 0;
    /// The Stop button: the wait on `key` ends at once (also one that starts before end_wait(key)).
    virtual void stop(const std::string& key) = 0;
    /// The step that waited on `key` is over.
    virtual void end_wait(const std::string& key) = 0;
};

}  // namespace opsbot::commands
