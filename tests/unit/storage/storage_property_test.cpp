// A property test of storage (issue 16 item 3): random sequences of requests, clicks, denials, cancels, expiry,
// restarts, Stop, the executor's moves, locks, steps and waits for a person, run against the real stores
// (property/stores_adapter.hpp) and a reference model (property/reference_model.hpp). After every step the two must
// agree: each action's state and approvers, the locks held, the stored waits, the audit chain (it verifies, and holds
// exactly the entries the model expects), and each refusal. RC_PARAMS scales it up, e.g.
// RC_PARAMS="max_success=5000 max_size=200".
#include <rapidcheck/catch.h>

#include <cstdlib>
#include <ostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "property/reference_model.hpp"
#include "property/stores_adapter.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace opsbot::storage::property;
using namespace std::chrono_literals;

namespace {

enum class op_kind {
    request, approve, deny, cancel, sweep, tick, restart, shutdown, stop_button, transition, execute, start_step,
    finish_step, claim, release, unlock, probe, wait, take_wait,
};

constexpr const char* op_names[] = {
    "request", "approve", "deny", "cancel", "sweep", "tick", "restart", "shutdown", "stop_button", "transition",
    "execute", "start_step", "finish_step", "claim", "release", "unlock", "probe", "wait", "take_wait",
};

/// One step. `action` picks an action (see target_of), `user` U01..U04; `x` and `y` are the op's other choices
/// (required approvals, minutes, a state, a service, an owner).
struct op {
    op_kind kind = op_kind::tick;
    int action = 0;
    int user = 0;
    int x = 0;
    int y = 0;
};

std::ostream& operator<<(std::ostream& out, const op& o) {
    return out << op_names[static_cast<int>(o.kind)] << "(A-" << o.action + 1 << ", U0" << o.user + 1 << ", " << o.x
               << ", " << o.y << ")";
}

rc::Gen<op> gen_op() {
    using enum op_kind;
    return rc::gen::construct<op>(
        rc::gen::weightedElement<op_kind>({{10, request}, {14, approve}, {2, deny}, {2, cancel}, {3, sweep},
                                           {4, tick}, {3, restart}, {1, shutdown}, {3, stop_button}, {6, transition},
                                           {14, execute}, {10, start_step}, {10, finish_step}, {4, claim},
                                           {3, release}, {3, unlock}, {6, probe}, {6, wait}, {2, take_wait}}),
        rc::gen::inRange(0, 6), rc::gen::inRange(0, 4), rc::gen::inRange(0, 10), rc::gen::inRange(0, 10));
}

const char* const services[] = {"web", "api", "db"};

std::string user_name(int index) {
    return "U0" + std::to_string(index + 1);
}

action_state state_at(int index) {
    return all_action_states[static_cast<std::size_t>(index) % all_action_states.size()];
}

/// What the whole run saw, so the test can say the generator reached every corner it claims to test.
struct coverage {
    int sequences = 0;
    long ops = 0;
    std::map<action_state, long> states_reached;  ///< action-steps observed in each state
    int trigger_refusals = 0;
    int trigger_allowed = 0;
    int approvals_completed = 0;
    int restarts_interrupting = 0;
    int kept_waiting = 0;  ///< actions a restart left running because they wait for a person
    int refused_by_store = 0;
};

// Not reset in the TEST_CASE: Catch re-enters it after rc::prop's SECTION fails, and the counts must survive that.
coverage seen;

template <class T>
void agree(const std::string& what, const T& model, const T& storage) {
    if (!(model == storage)) {
        std::ostringstream out;
        out << what << ": the model says " << model << ", the storage " << storage;
        RC_FAIL(out.str());
    }
}

void agree_outcome(const std::string& what, outcome model, outcome storage) {
    if (model != storage) {
        RC_FAIL(what + ": the model says " + to_string(model) + ", the storage " + to_string(storage));
    } else if (model != outcome::ok) {
        ++seen.refused_by_store;
    }
}

std::string join(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) {
        out += id + " ";
    }
    return out;
}

std::string join(const std::set<std::string>& ids) {
    return join(std::vector<std::string>(ids.begin(), ids.end()));
}

std::string join(const std::map<std::string, std::string>& locks) {
    std::string out;
    for (const auto& [service, owner] : locks) {
        out += service + "=" + owner + " ";
    }
    return out;
}

/// Everything observable must match the model.
void compare(reference_model& model, storage_adapter& storage) {
    const auto& actions = model.actions();
    for (std::size_t i = 0; i < actions.size(); ++i) {
        std::string id = action_name(i);
        auto state = storage.state_of(id);
        if (!state) {
            RC_FAIL(id + " is missing from the storage");
        }
        agree<std::string_view>(id + " state", to_string(actions[i].state), to_string(*state));
        agree(id + " approvers", join(actions[i].approvers), join(storage.approvers_of(id)));
        agree(id + " step.started entries", actions[i].steps_started, storage.audit_count(id, "step.started"));
        ++seen.states_reached[*state];
    }
    RC_ASSERT_FALSE(storage.state_of(action_name(actions.size())).has_value());
    agree("active locks", join(model.active_locks()), join(storage.active_locks()));
    agree("person waits", join(model.waits()), join(storage.waits()));
    agree("audit entries (verified chain)", model.audit_entries(), storage.verified_audit_entries());
}

/// The `n`-th (mod their number) action the model holds in `state`, or `fallback` when there is none.
std::size_t nth_in(const reference_model& model, action_state state, int n, std::size_t fallback) {
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < model.actions().size(); ++i) {
        if (model.actions()[i].state == state) {
            found.push_back(i);
        }
    }
    return found.empty() ? fallback : found[static_cast<std::size_t>(n) % found.size()];
}

/// Which action an op is about. The executor's ops (and most clicks and Stops) pick among the actions in the state
/// they act on, as the bot would, so long sequences reach the later states; the rest aim at A-1..A-6 blindly, some
/// of which do not exist or are in another state, to exercise the refusals.
std::size_t target_of(const op& o, const reference_model& model) {
    auto blind = static_cast<std::size_t>(o.action);
    switch (o.kind) {
        case op_kind::execute: return nth_in(model, action_state::approved, o.action, model.actions().size());
        case op_kind::wait:
        case op_kind::take_wait: return o.y % 4 == 0 ? blind : nth_in(model, action_state::running, o.action, blind);
        case op_kind::start_step:
        case op_kind::finish_step: return nth_in(model, action_state::running, o.action, model.actions().size());
        case op_kind::stop_button: return o.y % 4 == 0 ? blind : nth_in(model, action_state::running, o.action, blind);
        case op_kind::approve:
        case op_kind::deny:
        case op_kind::cancel:
            return o.y >= 7 ? blind : nth_in(model, action_state::awaiting_approval, o.action, blind);
        default: return blind;
    }
}

void apply(const op& o, manual_clock& clock, reference_model& model, storage_adapter& storage) {
    std::size_t index = target_of(o, model);
    std::string id = action_name(index);
    std::string user = user_name(o.user);
    switch (o.kind) {
        case op_kind::request: {
            int required = 1 + o.x % 2;
            auto expires = clock.now() + std::chrono::minutes{1 + o.y % 4};
            agree("new id", model.request(user, required, expires), storage.request(user, required, expires));
            break;
        }
        case op_kind::approve:
        case op_kind::deny: {
            bool approve = o.kind == op_kind::approve;
            bool stale = approve && o.x == 0;
            auto expected = model.decide(index, user, approve, stale);
            auto got = storage.decide(id, user, approve, stale);
            agree_outcome("decision by " + user + " on " + id, expected.result, got.result);
            if (expected.result == outcome::ok) {
                agree("approvals after the click", expected.approvals, got.approvals);
                agree("now_approved", expected.now_approved, got.now_approved);
                agree("now_denied", expected.now_denied, got.now_denied);
                seen.approvals_completed += got.now_approved ? 1 : 0;
            }
            break;
        }
        case op_kind::cancel:
            agree_outcome("cancel by " + user + " of " + id, model.cancel(index, user), storage.cancel(id, user));
            break;
        case op_kind::sweep:
            agree("expired by the sweep", join(model.sweep_expired()), join(storage.sweep_expired()));
            break;
        case op_kind::tick: clock.advance(std::chrono::minutes{1 + o.x % 3}); break;
        case op_kind::restart:
        case op_kind::shutdown: {
            auto expected = model.interrupt_unfinished();
            auto got = storage.restart(o.kind == op_kind::shutdown);
            agree("interrupted by the restart", join(expected), join(got));
            seen.restarts_interrupting += expected.empty() ? 0 : 1;
            for (const auto& a : model.actions()) {
                seen.kept_waiting += a.state == action_state::running ? 1 : 0;
            }
            break;
        }
        case op_kind::stop_button:
            agree_outcome("Stop of " + id, model.transition(index, action_state::running, action_state::stopped),
                          storage.transition(id, action_state::running, action_state::stopped, user));
            break;
        case op_kind::transition: {
            // From the state the model believes, or (y odd) from a stale one.
            action_state from = model.exists(index) && o.y % 2 == 0 ? model.state(index) : state_at(o.y);
            action_state to = state_at(o.x);
            agree_outcome("transition of " + id, model.transition(index, from, to),
                          storage.transition(id, from, to, "opsbot"));
            break;
        }
        case op_kind::execute: {
            // The executor: the action's lock, then running; a busy lock fails it (bot/actions/).
            if (!model.exists(index) || model.state(index) != action_state::approved) {
                break;
            }
            std::string service = services[index % 3];
            auto until = clock.now() + 10min;
            outcome claimed = model.claim(service, id, until);
            agree_outcome("the executor's lock on " + service, claimed, storage.claim(service, id, until));
            action_state to = claimed == outcome::ok ? action_state::running : action_state::failed;
            agree_outcome("the executor's start of " + id, model.transition(index, action_state::approved, to),
                          storage.transition(id, action_state::approved, to, "opsbot"));
            break;
        }
        case op_kind::start_step:
        case op_kind::finish_step: {
            // Only the executor writes these, only while its action runs (the stores do not check it).
            bool start = o.kind == op_kind::start_step;
            if (!model.exists(index) || model.state(index) != action_state::running ||
                model.step_open(index) == start) {
                break;
            }
            start ? model.start_step(index) : model.finish_step(index);
            RC_ASSERT(storage.append_step(id, start ? "step.started" : "step.succeeded"));
            if (!start && o.x % 2 == 0) {  // that was its last step: the executor ends it
                agree_outcome("the executor's end of " + id,
                              model.transition(index, action_state::running, action_state::succeeded),
                              storage.transition(id, action_state::running, action_state::succeeded, "opsbot"));
            }
            break;
        }
        case op_kind::claim:
        case op_kind::release: {
            std::string service = services[o.x % 3];
            std::string owner = o.y % 2 == 0 ? user : id;
            if (o.kind == op_kind::claim) {
                auto until = clock.now() + std::chrono::minutes{1 + o.y % 5};
                outcome expected = model.claim(service, owner, until);
                agree_outcome("claim of " + service + " by " + owner, expected, storage.claim(service, owner, until));
            } else {
                agree_outcome("release of " + service + " by " + owner, model.release(service, owner),
                              storage.release(service, owner));
            }
            break;
        }
        case op_kind::unlock: {
            std::string service = services[o.x % 3];
            agree_outcome("unlock of " + service + " by " + user, model.release_as_approver(service, user),
                          storage.release_as_approver(service, user));
            break;
        }
        case op_kind::wait: {
            std::string key = "KEY_" + std::to_string(o.x % 3);
            agree_outcome("a wait of " + id + " on " + key, model.put_wait(index, key), storage.put_wait(id, key));
            break;
        }
        case op_kind::take_wait: agree("took the wait of " + id, model.take_wait(index), storage.take_wait(id)); break;
        case op_kind::probe: {
            // The trigger, bypassing the stores: refused exactly when the model's table forbids the move.
            if (!model.exists(index)) {
                break;
            }
            action_state to = state_at(o.x);
            bool refused = storage.raw_update_refused(id, to);
            agree("the trigger refuses " + std::string(to_string(model.state(index))) + " -> " +
                      std::string(to_string(to)),
                  !model_allows(model.state(index), to), refused);
            ++(refused ? seen.trigger_refusals : seen.trigger_allowed);
            break;
        }
    }
}

void check_sequence(const std::vector<op>& ops) {
    manual_clock clock;
    reference_model model(clock);
    stores_adapter storage(clock);
    ++seen.sequences;
    for (const op& o : ops) {
        RC_LOG() << o << "\n";
        apply(o, clock, model, storage);
        compare(model, storage);
        ++seen.ops;
    }
}

}  // namespace

TEST_CASE("storage agrees with its reference model over random sequences of operations", "[property]") {
    // A few hundred sequences unless RC_PARAMS says otherwise (rapidcheck reads it once, at its first use).
    setenv("RC_PARAMS", "max_success=300", 0);
    spdlog::set_level(spdlog::level::warn);  // not a line per migrated file
    rc::prop("model and storage agree after every step", [] {
        check_sequence(*rc::gen::container<std::vector<op>>(gen_op()));
    });
    INFO("sequences " << seen.sequences << ", operations " << seen.ops);
    WARN("ran " << seen.sequences << " sequences, " << seen.ops << " operations; trigger refused "
                << seen.trigger_refusals << " and allowed " << seen.trigger_allowed << " raw moves; "
                << seen.approvals_completed << " approvals completed; " << seen.restarts_interrupting
                << " restarts interrupted something; " << seen.kept_waiting
                << " running actions kept waiting across one; " << seen.refused_by_store << " refusals agreed");
    // The generator must reach what the test claims to cover, or a pass would mean little.
    CHECK(seen.sequences >= 100);
    for (action_state state : all_action_states) {
        INFO("reached " << to_string(state) << " " << seen.states_reached[state] << " times");
        CHECK(seen.states_reached[state] > 0);
    }
    CHECK(seen.trigger_refusals > 0);
    CHECK(seen.trigger_allowed > 0);
    CHECK(seen.approvals_completed > 0);
    CHECK(seen.restarts_interrupting > 0);
    CHECK(seen.kept_waiting > 0);
}
