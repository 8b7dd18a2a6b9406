#pragma once
// The step vocabulary (docs/design.md "Actions and steps"): each family names the step kinds its plans use, and the
// executor finds them here by the name a plan_step carries. Nothing in plan/ knows a family.

#include "commands/plan/plan.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

struct step_environment;

/// How a step kind touches the world; the executor treats each differently.
enum class step_role {
    acting,              ///< changes something outside (a rollback, a write): locked, audited, never re-run after a crash
    reading,             ///< only reads (a health check, a verification): nothing to undo
    waiting_for_person,  ///< waits for a person (`/rotate … --continue`): holds no lock while it waits
};

using step_run_fn = std::function<result<std::string>(const plan_step&, const step_environment&)>;
/// What must still hold right before a step acts: ok, or a refusal whose error says why (error_kind::
/// changed_since_approval: "production changed since approval: …"). It reads the world, never changes it.
using step_precondition_fn = std::function<result<void>(const plan_step&, const step_environment&)>;

/// What a person's continue found, for a step that waits for a person.
struct wait_verdict {
    bool done = false;    ///< false: still waiting
    std::string outcome;  ///< done: the step's outcome (audited, shown on the plan message)
    std::string answer;   ///< what the person who continued is told
};
/// Before the wait: reads what the check will compare with; the memo is stored with the wait (never a secret value).
using wait_begin_fn = std::function<result<boost::json::object>(const plan_step&, const step_environment&)>;
/// A person says they are done: checks it against the memo. An error ends the step (failed).
using wait_check_fn =
    std::function<result<wait_verdict>(const plan_step&, const step_environment&, const boost::json::object& memo)>;

/// What the acting part of a step that waits for a platform did: finished at once (`done`, e.g. "already serves
/// production; nothing to do"), or sent its request and left what its polls need in `memo` (a deployment id, the
/// alias job seen before; never a secret value).
struct act_outcome {
    std::optional<std::string> done;
    boost::json::object memo;
};
/// What one poll of the platform found.
struct poll_verdict {
    bool done = false;    ///< false: not settled yet, poll again after poll_interval
    std::string outcome;  ///< done: the step's outcome
};
using step_act_fn = std::function<result<act_outcome>(const plan_step&, const step_environment&)>;
/// One read of the platform for a step whose act part returned a memo; `attempt` counts the polls (1: the first).
/// An error ends the step (failed); it never sends anything to the platform.
using poll_check_fn = std::function<result<poll_verdict>(const plan_step&, const step_environment&,
                                                         const boost::json::object& memo, int attempt)>;

/// One kind of step: what runs it and what the executor must know about it.
struct step_kind {
    std::string name;                   ///< what plan_step::kind says, e.g. "railway.rollback"
    step_role role = step_role::acting;
    bool idempotent = false;            ///< run again after it succeeded, it changes nothing more
    /// Runs the step until it is done, has failed or its timeout passed. It never repeats a request whose outcome
    /// is unknown; what must hold before it acts is its `precondition`, checked before it is called.
    step_run_fn run;
    /// A waiting_for_person step: what the person names to continue it (the secret of `/rotate SECRET --continue`);
    /// two runs never wait on one key at once.
    std::function<std::string(const plan_step&)> wait_key = {};
    /// A waiting_for_person step split so that no thread waits (docs/design.md "Actions and steps": waits are data):
    /// the executor calls wait_begin, stores the wait and lets its thread go; each continue calls wait_check.
    wait_begin_fn wait_begin = {};
    wait_check_fn wait_check = {};
    /// Reads the step's parameters as the kind's parameter type without running it (commands/plan/step_params.hpp);
    /// unset for kinds that read their parameters themselves.
    std::function<result<void>(const plan_step&)> check_params = {};
    /// A step that waits for a platform (a deployment settling, an alias job) split so that no thread waits
    /// (docs/design.md "Actions and steps"): `act` changes the world once; the executor stores the poll and calls
    /// `poll_check` every poll_interval until done or the step's timeout passed. Such a kind leaves `run` empty;
    /// run_step runs it to its end on the caller's thread.
    step_act_fn act = {};
    poll_check_fn poll_check = {};
    /// Checked right before the step acts (docs/design.md "Actions and steps"): by the executor after the step's
    /// `step.started` entry and again when a waiting step is continued, by run_step otherwise. A refusal fails the
    /// step before anything is sent (an acting step: the live deployment is still the one the approved plan
    /// recorded, the approved migrations are unchanged, the new key is held). Unset: nothing to check.
    step_precondition_fn precondition = {};

    bool polls() const { return static_cast<bool>(act) && static_cast<bool>(poll_check); }
};

/// The step kinds of every family, by name.
class step_catalog {
public:
    step_catalog() = default;
    explicit step_catalog(const std::vector<step_kind>& kinds);

    /// The kind named `name`, or nullptr.
    const step_kind* find(std::string_view name) const;

    /// Every step of `p` names a kind of this catalog and carries the parameters that kind reads; else
    /// invalid_input naming the first step that does not ("step 2 (`vercel.rollback`): its parameter `to` is missing").
    result<void> check(const plan& p) const;

private:
    std::map<std::string, step_kind, std::less<>> kinds_;
};

}  // namespace opsbot::commands
