#pragma once
// The command family is the unit (docs/design.md "Layers"): each folder under commands/ exports one family_module that
// describes all of it — its slash commands' grammar, how each subcommand is served (answered at once, or planned
// for approval from a typed request), and the step kinds its plans use. The router, help, manifest, planner and
// executor are driven by these values and never name a family; the bot lists the modules in one place
// (bot/families.cpp).

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/command_spec.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/request.hpp"
#include "commands/plan/run_state.hpp"
#include "commands/plan/step_kind.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

/// What a plan function may read: plans look at the world, they never change it.
struct plan_context {
    const stack_config& config;
    const platform_registry& platforms;
    const clock& clk;
};

/// Answers a command at once (a report, a checklist, a lock). Runs on a worker thread and may block on I/O.
using answer_fn = std::function<reply(const parsed_command&, const command_context&)>;
/// Plans a request of the family: it turns the stored request into its own typed request and that into steps.
/// The same function plans the first time and again right before the plan runs.
using plan_fn = std::function<result<plan>(const stored_request&, const plan_context&)>;

/// How one subcommand is served.
struct subcommand_binding {
    std::string subcommand;  ///< "" for the family's default form
    answer_fn answer;        ///< set when it is (or may be) answered at once
    plan_fn plan;            ///< set when it is (or may be) planned for approval
    /// With both set: which one serves this command (e.g. `/deploy web staging` runs at once, production is
    /// planned). Unset: planned whenever `plan` is set.
    std::function<bool(const parsed_command&)> planned_when;

    bool is_planned(const parsed_command& command) const;
};

/// What the executor asks a family about a run of its plans (docs/design.md "Actions and steps"), so that it never
/// names a family. Unset members mean "nothing".
struct run_hooks {
    /// The state one run's steps share (the rotation's secret vault); null: none.
    std::function<std::unique_ptr<run_state>()> make_state;
    /// Its successes are announced in the incident channel too (a rollback, a rotation), not only its failures.
    bool announce_success = false;
    /// A run rebuilt after a restart with its state made afresh (a rotation's secret vault is empty then: values
    /// are never stored) that would resume at step `at` (0-based: its stored wait or poll). Why it cannot go on —
    /// what was done, what was not, how to finish — or nullopt to resume it. Unset: every run resumes.
    std::function<std::optional<std::string>(const plan&, std::size_t at)> cannot_resume;
    /// Its successes change what production runs (a deploy, a rollback, a rotation's redeploy): a post-deploy watch
    /// follows each (bot/post_deploy_watch.hpp).
    bool watched_after_success = false;
};

/// One slash command: its grammar and how each subcommand is served.
struct command_family {
    family_spec spec;
    std::vector<subcommand_binding> subcommands;
    run_hooks run = {};  ///< its module's (family_module::run)

    /// The binding of `subcommand` ("" = default form), or nullptr.
    const subcommand_binding* binding(std::string_view subcommand) const;
};

/// One folder of commands/.
struct family_module {
    std::vector<command_family> commands;  ///< one per slash command (database: /migrate and /backup)
    std::vector<step_kind> steps;          ///< the step kinds its plans use (shared ones may repeat: same kind)
    run_hooks run = {};                    ///< what its runs need around them; given to each of its commands
};

/// Every family the bot serves, indexed; built once from bot/families.cpp's list. Thread-safe (const only).
class family_set {
public:
    explicit family_set(std::vector<family_module> modules);

    /// Every slash command's spec, in the order listed (the manifest's order).
    const std::vector<const family_spec*>& specs() const { return specs_; }
    /// The family of "/deploy" (as Slack sends it), or nullptr.
    const command_family* by_command(std::string_view slash_command) const;
    /// The family named "deploy" (the policy key), or nullptr.
    const command_family* by_name(std::string_view name) const;
    const step_catalog& steps() const { return steps_; }
    /// The run hooks of the family named `name`; none for an unknown name.
    const run_hooks& hooks_of(std::string_view name) const;

    /// True when `command` is carried out as a plan with a second person's approval (rather than answered).
    bool is_planned(const parsed_command& command) const;
    /// Answers an answered command; "not available yet in this build" when its family has no answer for it.
    reply answer(const parsed_command& command, const command_context& context) const;
    /// Plans a request (stored_request::of a planned command); the plan records it (plan::request).
    result<plan> plan_request(const stored_request& request, const plan_context& context) const;
    /// Plans a recorded request again (right before it runs: an approval holds only for the plan it approved).
    result<plan> plan_again(const boost::json::object& request, const plan_context& context) const;

private:
    std::vector<command_family> families_;
    std::vector<const family_spec*> specs_;
    step_catalog steps_;
};

}  // namespace opsbot::commands
