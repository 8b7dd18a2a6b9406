#pragma once

#include "bot/action_flow_controls.hpp"
#include "bot/block_action.hpp"
#include "bot/incident_notifier.hpp"
#include "bot/plan_message.hpp"
#include "bot/slack/message_locks.hpp"
#include "bot/slack/web_api.hpp"
#include "commands/grammar/family.hpp"
#include "commands/grammar/invocation.hpp"
#include "commands/grammar/policy.hpp"
#include "commands/plan/run_state.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/thread_pool.hpp"
#include "storage/action_store.hpp"
#include "storage/approval_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"
#include "storage/poll_store.hpp"
#include "storage/replica_store.hpp"
#include "storage/wait_store.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace opsbot::bot {

class post_deploy_watch;

struct action_flow_deps {
    const stack_config& config;
    storage::database& db;
    const clock& clk;
    const commands::platform_registry& platforms;
    const commands::family_set& families;  ///< plans requests again and finds each step's kind
    web_api& slack;
    thread_pool& workers;
    /// Waits between polls of a running step (a platform job, a deployment); tests pass a short one.
    std::function<void(std::chrono::milliseconds)> sleep;
    std::chrono::milliseconds poll_interval{2000};
    /// Watches Sentry / BetterStack after an action succeeded (bot/post_deploy_watch); null: no watch.
    post_deploy_watch* watch = nullptr;
    /// Where a person's continue meets a step that waits for them (the rotation's continue board); null: none.
    commands::person_wait_board* board = nullptr;
    /// Paces the polls of steps waiting for a platform (storage/poll_store: next_poll). Real time by default — the
    /// platforms move in real time — while their deadlines are on `clk`; tests may pass a manual one.
    const clock* poll_clock = nullptr;
    /// Called (on the worker that made it) after an action's state or progress changed: the App Home tab refreshes
    /// for its recent openers (bot/home_tab.hpp). Must return at once; empty: nobody listens.
    std::function<void()> on_change;
};

/// The life of a destructive command (docs/design.md "What a user does"): plan → post with buttons →
/// the two-person rule on every click → re-plan → run step by step under a lock → outcome in the thread
/// and, for failures, rollbacks and stops, in the incident channel. All blocking; called on worker threads.
/// Audit is fail-closed (issue 12): a step whose `step.started` entry cannot be written does not run, and a final
/// state that cannot be recorded is retried, then alarmed in the incident channel.
class action_flow {
public:
    explicit action_flow(action_flow_deps deps);

    /// Plans `request` (`/rollback web`) for `inv.user` and posts it for approval
    /// (or, with dry_run, shows it to the requester and stops). Answers the requester via response_url.
    /// With `break_glass_reason` (`--break-glass "<reason>"`, only where policies.<family>.break_glass allows it),
    /// the requester's own request runs at once, is posted loudly to the incident channel and stays unreviewed
    /// until another approver acknowledges it (bot/break_glass_flow.cpp).
    void request(const commands::invocation& inv, const commands::stored_request& request, bool dry_run,
                 const std::string& response_url, const std::optional<std::string>& break_glass_reason = std::nullopt);

    /// The "Acknowledge break-glass" button (plan message or incident post): another allowed approver reviews it.
    void on_break_glass_ack(const block_action& click);

    /// Approve / Deny / Cancel clicks, and Stop (on_stop).
    void on_click(const block_action& click);

    /// Start-up under the instance lock (SQLite): what the takeover at start found (replica_store::take_over_all_but:
    /// every action a previous process left running is now interrupted, every stored wait and poll this process's) —
    /// the interrupted ones reported, never re-run; every stored wait and poll resumed.
    void recover_at_startup(const storage::taken_over& taken);
    /// Replicas (issue 14 item 2): what this replica took over from one whose lease ran out
    /// (replica_store::take_over_expired) — the interrupted ones reported as start-up recovery reports them, the
    /// waiting ones resumed here (the person's wait held again, the poll due now).
    void take_over(const storage::taken_over& taken);
    /// Shutdown, once its grace ran out: actions still running (not those whose wait is stored) become interrupted
    /// and are reported as recover_at_startup reports them, plus a line in their thread saying the bot was stopped.
    void interrupt_at_shutdown();

    /// Marks requests whose expiry passed and updates their messages; ends the waits for a person whose deadline
    /// passed (sweep_waits).
    void sweep_expired();

    /// The poll timer (bot/actions/platform_poll.cpp): claims each stored poll that is due by the poll clock, once,
    /// and polls it on the worker pool. Called now and then by the runtime.
    void sweep_polls();
    /// Whether a step waits for a platform (a stored poll): the run is not over yet.
    bool polls_pending();

private:
    /// How a run ended (bot/actions/step_loop.cpp → bot/actions/report.cpp).
    struct run_end {
        storage::action_state state = storage::action_state::succeeded;  ///< succeeded, failed or stopped
        std::size_t step = 0;     ///< 1-based: the step that failed, or the one it stopped at / before; 0: none
        std::string error;        ///< the failure, redacted, fit for Slack
        bool changed_since_approval = false;  ///< the step found production changed (error_kind::changed_since_approval)
        std::string stopped_by;   ///< who pressed Stop
        bool stopped_while_waiting = false;  ///< Stop woke the step that waited for a person
        bool waiting = false;     ///< the run is not over: step `step` waits (stored, no thread) …
        bool polling = false;     ///< … for a platform (a stored poll) rather than for a person
        /// Another replica took the run over while this one had lost its lease (model/replicas.pml): it ends here
        /// without a word — no final state, its locks left alone — for the taker reports it.
        bool taken_elsewhere = false;
    };

    /// One run in flight (bot/actions/): its plan, what its message shows, its family's state. Shared by the
    /// worker that runs it and, while it waits for a person, by whoever resumes it.
    struct run_context {
        commands::plan plan;
        plan_view view;
        std::unique_ptr<commands::run_state> state;
    };

    /// The plan an action carries (its stored JSON).
    static commands::plan plan_of(const storage::action_record& action);
    /// Runs an approved action (bot/actions/execute.cpp).
    void execute(const storage::action_record& action);
    /// An approved action that will not run: marked failed with `reason`, `note` on its message and in its thread.
    void refuse_to_run(const storage::action_record& action, const commands::plan& plan, const std::string& reason,
                       const std::string& note);
    /// Plans the action's request again and compares the digest with the approved one (bot/actions/replan.cpp);
    /// false (refused, and a changed plan posted for a fresh approval) when it does not hold.
    bool still_approved(const storage::action_record& action, const commands::plan& plan);
    /// Runs the steps from `from` on; when a step waits for a person, stores the wait and returns (the worker goes).
    void continue_run(const storage::action_record& action, std::shared_ptr<run_context> run, std::size_t from);
    /// The run is over: reported (finish) and its Stop request forgotten.
    void end_run(const storage::action_record& action, run_context& run, const run_end& end);
    /// The step loop (bot/actions/step_loop.cpp): each step audited before it runs (fail-closed), Stop honoured
    /// before each; a step that waits for a person is stored as a wait (begin_person_wait) and ends the loop.
    run_end run_steps(const storage::action_record& action, const std::shared_ptr<run_context>& run, std::size_t from);
    /// A step's outcome recorded (message, audit; fail-closed); after a wait, the locks claimed again. An end of
    /// the run when it failed or nothing more may run; nullopt to go on.
    std::optional<run_end> after_step(const storage::action_record& action, run_context& run, std::size_t i,
                                      const result<std::string>& outcome, bool waited);
    /// A step that failed: shown failed, audited (`step.failed`, with `extra`: e.g. refused by its precondition, so
    /// it never acted), the end of the run.
    run_end step_failed(const storage::action_record& action, run_context& run, std::size_t i, const error& why,
                        boost::json::object extra = {});
    /// What a step.failed entry adds when the step's precondition refused it: nothing was sent, it never acted.
    static boost::json::object refused_by_precondition();
    commands::step_environment environment_for(const storage::action_record& action, commands::run_state* state);
    static void skip_from(plan_view& view, std::size_t first);
    static run_end failed_at(std::size_t step, std::string error);
    static run_end stopped_at(plan_view& view, std::size_t index, const std::string& by);
    /// Step `index` was not started: `why`, another replica owns the run now (run_end::taken_elsewhere).
    static run_end taken_elsewhere(std::size_t index, std::string why);
    /// Another replica took the action over (interrupted) while this one still ran it (bot/actions/report.cpp).
    bool taken_over_meanwhile(const storage::action_record& action);
    /// For an interrupted action's report: its locks were released, or which stay held and until when.
    std::string locks_left_by(const storage::action_record& action);

    /// Waits for a person (bot/actions/person_wait.cpp). Why another action waiting on `key` refuses this one.
    std::optional<std::string> other_waiter(const storage::action_record& action, const std::string& key);
    /// Releases the locks, reads what the check will compare with, stores the wait: a `waiting` end.
    run_end begin_person_wait(const storage::action_record& action, run_context& run, std::size_t i,
                              const commands::step_environment& env);
    /// After the wait is stored: kept in memory and held on the board; a Stop that came meanwhile ends it.
    void hold_wait(const storage::action_record& action, std::shared_ptr<run_context> run);
    /// The run a stored wait belongs to: the one in memory, or (after a restart) rebuilt with a fresh family state.
    std::shared_ptr<run_context> held_run(const storage::action_record& action, const storage::person_wait& wait);
    std::shared_ptr<run_context> held_run(const storage::action_record& action, std::size_t step_index);
    void forget_held(const std::string& id);
    /// A continue of a held wait (the board's continue hook): checks it; when done, the rest of the run goes on the
    /// worker pool. Returns what the person is told.
    result<std::string> continue_wait(const std::string& id);
    /// Stop while the action waits for a person: takes the wait and ends the run stopped. False: it was not
    /// waiting (or a continue or the deadline took the wait first).
    bool stop_held_wait(const storage::action_record& action, const std::string& by);
    /// Ends, failed, the waits whose deadline passed.
    void sweep_waits();
    /// Start-up: the stored waits are held again; each thread is told the action still waits.
    void resume_waits_at_startup();
    /// One stored wait held again by this process; its thread is told why (`what`: "opsbot restarted") it still waits.
    void resume_wait(const storage::action_record& action, const storage::person_wait& wait, const std::string& what);

    /// Waits for a platform (bot/actions/platform_poll.cpp). Runs the step's act part; when it must wait, keeps the
    /// run in memory and stores the poll (locks kept): a `waiting` end. nullopt: the step is done, go on.
    std::optional<run_end> begin_poll(const storage::action_record& action, const std::shared_ptr<run_context>& run,
                                      std::size_t i, const commands::step_environment& env);
    /// After the poll is stored: a Stop that came meanwhile ends it.
    void hold_poll(const storage::action_record& action);
    /// One poll of a poll claimed at `claimed` (on the worker pool): stored again, or the step ends and the run
    /// goes on.
    void poll_once(const storage::platform_poll& poll, clock::time_point claimed);
    /// Stop while the action waits for a platform: takes the poll and ends the run stopped (what the step sent to
    /// the platform is not undone). False: it was not polling (or the poll ended first).
    bool stop_held_poll(const storage::action_record& action, const std::string& by);
    /// Start-up (bot/actions/resume_check.cpp): why a run rebuilt after a restart cannot resume at step `at`, in its
    /// family's words (run_hooks::cannot_resume); nullopt: it resumes.
    std::optional<std::string> cannot_resume(const run_context& run, std::size_t at) const;
    /// Ends, failed, a rebuilt run that cannot resume at step `at` (its stored wait or poll already taken): audited,
    /// reported in its thread and the incident channel like any failure, its locks freed.
    void end_not_resumed(const storage::action_record& action, run_context& run, std::size_t at,
                         const std::string& why);
    /// Start-up: the stored polls are due at once; each re-reads the platform (the acting part never runs again).
    void resume_polls_at_startup();
    /// One stored poll taken over from a dead replica: due now on this process's poll timer, its thread told why.
    void resume_poll(const storage::action_record& action, const storage::platform_poll& poll, const std::string& what);
    /// False when a rebuilt run cannot go on at the poll's step: its poll is taken and the run ended (end_not_resumed).
    bool poll_resumable(const storage::action_record& action, const storage::platform_poll& poll);
    /// This replica drives the run of `id` again (a continue, a poll, a deadline, on whichever replica took it): it
    /// owns it now, so a takeover elsewhere never interrupts it while this replica lives (recover.cpp).
    void claim_resumed(const action_id& id);
    /// Updates each action's message with `note` and tells the incident and ops channels it `what` (recover.cpp).
    void report_interrupted(const std::vector<storage::action_record>& actions, const std::string& note,
                            const std::string& what);
    /// Claims one lock per service the plan acts on (in name order) until its remaining steps' time is up; on a
    /// refusal, releases what it claimed and returns the refusal (bot/actions/locks.cpp).
    result<void> claim_locks(const storage::action_record& action, const commands::plan& plan,
                             std::size_t from_step);
    /// Releases every lock the action holds (logged when it cannot).
    void release_locks(const storage::action_record& action);
    /// The end of a run (bot/actions/report.cpp): the final state (retried; alarmed when it cannot be
    /// recorded), the message, the thread, the incident channel, the follow-ups.
    void finish(const storage::action_record& action, const commands::plan& plan, plan_view& view,
                const run_end& end, const commands::run_state* state);
    /// running → `end.state`, retried with backoff (deps_.sleep); the last error when every attempt failed.
    result<void> record_final_state(const storage::action_record& action, const run_end& end);
    /// "#SEQ HASH12" of the audit log's newest entry; empty (logged) when it cannot be read.
    std::string audit_head_text();
    void post_in_thread(const storage::action_record& action, const std::string& text);
    /// Posts to the incident channel; a failure is logged by the notifier.
    void alarm(const incident_notice& notice);
    /// The Stop button (bot/action_flow_stop.cpp): the requester or an approver of the family asks a running
    /// action to stop before its next step; a step waiting for a person is woken.
    void on_stop(const block_action& click);
    void run_break_glass(const commands::invocation& inv, const commands::plan& plan, const std::string& reason,
                         const std::string& response_url);
    /// Adds the break-glass line and button to a view of an action that used it (bot/break_glass_flow.cpp).
    void show_break_glass(plan_view& view, const action_id& id);
    void post_for_approval(const commands::invocation& inv, const commands::plan& plan,
                           const std::string& response_url);
    /// Stores `plan` as `inv.user`'s request awaiting the approvals `rule` asks for until its expiry; when it cannot
    /// be stored, tells the requester and returns nothing.
    std::optional<action_id> record_request(const commands::invocation& inv, const commands::plan& plan,
                                            const commands::approval_rule& rule, const std::string& response_url);
    /// Shows `view` on the action's message unless the action has left the state the view shows (a stale view);
    /// `force` shows it anyway (the executor's last word when the final state could not be recorded). An ended
    /// action's message carries the audit head.
    void update_message(const storage::action_record& action, const commands::plan& plan, const plan_view& view,
                        bool force = false);
    plan_view view_of(const storage::action_record& action, const commands::plan& plan);
    /// An ephemeral line for `user` in `channel`; a click from the Home tab has no channel, so it goes to the user's
    /// messages with the app instead.
    void tell(const std::string& channel, const std::string& user, const std::string& text);
    /// deps_.on_change, when set.
    void changed();
    /// The action a button names and the plan digest it carries; when the button names none that exists, tells
    /// the clicker and returns nothing.
    struct clicked {
        storage::action_record action;
        std::string digest;
    };
    std::optional<clicked> clicked_action(const block_action& click);
    void reply(const std::string& response_url, const std::string& text);
    std::set<user_id> approvers_for(const std::string& family) const;
    void audit(const std::string& actor, const std::optional<action_id>& action, const std::string& event,
               boost::json::object detail);

    action_flow_deps deps_;
    storage::action_store actions_;
    storage::approval_store approvals_;
    storage::lock_store locks_;
    storage::audit_log audit_;
    storage::wait_store waits_;
    system_clock real_clock_;
    const clock& poll_clock_;   ///< deps_.poll_clock, else real_clock_
    storage::poll_store polls_;
    incident_notifier incidents_;
    run_controls controls_;     ///< Stop requests and waits for a person, shared by clicks and the executor
    message_locks message_locks_;  ///< orders the updates of each plan message (see update_message)
    std::mutex held_mutex_;
    std::map<std::string, std::shared_ptr<run_context>> held_;  ///< runs waiting for a person or a platform, by id
};

}  // namespace opsbot::bot
