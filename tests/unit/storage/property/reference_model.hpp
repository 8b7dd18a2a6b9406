#pragma once
// The reference model of the storage property test (issue 16 item 3): what the storage layer should do, written
// from docs/design.md "What a user does" and the stores' documented contracts, without reading the database. It
// keeps its own transition table on purpose: were can_transition() or the SQLite trigger to drift, the two would
// disagree here.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/action_state.hpp"
#include "adapter.hpp"

namespace opsbot::storage::property {

/// The model's own table: awaiting -> approved|denied|cancelled|expired; approved -> running|failed|interrupted;
/// running -> succeeded|failed|interrupted|stopped. Everything else (a state to itself included) is illegal.
inline bool model_allows(action_state from, action_state to) {
    using enum action_state;
    static const std::map<action_state, std::set<action_state>> table{
        {awaiting_approval, {approved, denied, cancelled, expired}},
        {approved, {running, failed, interrupted}},
        {running, {succeeded, failed, interrupted, stopped}},
    };
    auto row = table.find(from);
    return row != table.end() && row->second.contains(to);
}

inline bool model_terminal(action_state state) {
    using enum action_state;
    return state != awaiting_approval && state != approved && state != running;
}

/// Who may approve in the test: U01..U03 (U04 is in the channel but not an approver).
inline const std::set<std::string> model_approvers{"U01", "U02", "U03"};

inline std::string action_name(std::size_t index) {
    return "A-" + std::to_string(index + 1);
}

class reference_model {
public:
    struct action {
        std::string requester;
        int required = 1;
        clock::time_point expires_at;
        action_state state = action_state::awaiting_approval;
        std::set<std::string> decided;    ///< everyone who approved or denied
        std::set<std::string> approvers;  ///< those who approved
        int steps_started = 0;
        bool step_open = false;
    };
    struct lock {
        std::string owner;
        clock::time_point expires_at;
    };

    explicit reference_model(const clock& clock) : clock_(clock) {}

    const std::vector<action>& actions() const { return actions_; }
    std::int64_t audit_entries() const { return audit_; }
    bool exists(std::size_t index) const { return index < actions_.size(); }
    action_state state(std::size_t index) const { return actions_.at(index).state; }
    bool step_open(std::size_t index) const { return actions_.at(index).step_open; }

    /// The locks list_active() shows: those whose expiry has not passed.
    std::map<std::string, std::string> active_locks() const {
        std::map<std::string, std::string> out;
        for (const auto& [service, held] : locks_) {
            if (held.expires_at > clock_.now()) {
                out[service] = held.owner;
            }
        }
        return out;
    }

    /// A new action: awaiting approval, audited "action.requested". Returns its id.
    std::string request(const std::string& requester, int required, clock::time_point expires_at) {
        action a;
        a.requester = requester;
        a.required = required;
        a.expires_at = expires_at;
        actions_.push_back(std::move(a));
        ++audit_;
        return action_name(actions_.size() - 1);
    }

    /// A click, in the documented order of refusals (storage/approval_store.hpp).
    decision_result decide(std::size_t index, const std::string& user, bool approve, bool stale_plan) {
        if (!exists(index)) {
            return {outcome::not_found};
        }
        action& a = actions_[index];
        if (a.state != action_state::awaiting_approval) {
            return {outcome::conflict};
        }
        if (clock_.now() >= a.expires_at) {
            move(index, action_state::expired);  // the late click expires it
            return {outcome::conflict};
        }
        if (user == a.requester || !model_approvers.contains(user)) {
            ++audit_;  // approval.refused
            return {outcome::forbidden};
        }
        if (a.decided.contains(user)) {
            return {outcome::conflict};  // the same person twice: no second row, no entry
        }
        if (approve && stale_plan) {
            ++audit_;  // approval.refused: the plan changed
            return {outcome::conflict};
        }
        a.decided.insert(user);
        if (approve) {
            a.approvers.insert(user);
        }
        ++audit_;  // approval.approved / approval.denied
        decision_result out{outcome::ok};
        out.approvals = static_cast<int>(a.approvers.size());
        if (!approve) {
            move(index, action_state::denied);
            out.now_denied = true;
        } else if (out.approvals >= a.required) {
            move(index, action_state::approved);
            out.now_approved = true;
        }
        return out;
    }

    outcome cancel(std::size_t index, const std::string& user) {
        if (!exists(index)) {
            return outcome::not_found;
        }
        if (actions_[index].state != action_state::awaiting_approval) {
            return outcome::conflict;
        }
        if (user != actions_[index].requester) {
            ++audit_;  // cancel.refused
            return outcome::forbidden;
        }
        move(index, action_state::cancelled);
        return outcome::ok;
    }

    /// action_store::transition: legal per the table and from the state the action is in.
    outcome transition(std::size_t index, action_state from, action_state to) {
        if (!exists(index)) {
            return outcome::not_found;
        }
        if (!model_allows(from, to) || actions_[index].state != from) {
            return outcome::conflict;
        }
        move(index, to);
        return outcome::ok;
    }

    /// Every action awaiting approval whose expiry has come is expired. Returns their ids.
    std::vector<std::string> sweep_expired() {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < actions_.size(); ++i) {
            if (actions_[i].state == action_state::awaiting_approval && actions_[i].expires_at <= clock_.now()) {
                move(i, action_state::expired);
                out.push_back(action_name(i));
            }
        }
        return out;
    }

    /// Start-up (or shutdown) recovery: what was approved or running is interrupted, never re-run, except an action
    /// whose step waits for a person: it keeps waiting.
    std::vector<std::string> interrupt_unfinished() {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < actions_.size(); ++i) {
            if ((actions_[i].state == action_state::approved || actions_[i].state == action_state::running) &&
                !waits_.contains(i)) {
                move(i, action_state::interrupted);
                out.push_back(action_name(i));
            }
        }
        return out;
    }

    outcome claim(const std::string& service, const std::string& owner, clock::time_point expires_at) {
        auto held = locks_.find(service);
        if (held != locks_.end()) {
            if (held->second.owner == owner) {
                held->second.expires_at = expires_at;
                ++audit_;  // lock.renewed
                return outcome::ok;
            }
            if (held->second.expires_at > clock_.now()) {
                return outcome::conflict;
            }
            ++audit_;  // lock.taken_over
        }
        locks_[service] = lock{owner, expires_at};
        ++audit_;  // lock.claimed
        return outcome::ok;
    }

    /// The owner's release; an expired lease still counts as held until someone takes it over.
    outcome release(const std::string& service, const std::string& owner) {
        auto held = locks_.find(service);
        if (held == locks_.end()) {
            return outcome::not_found;
        }
        if (held->second.owner != owner) {
            return outcome::forbidden;
        }
        locks_.erase(held);
        ++audit_;
        return outcome::ok;
    }

    /// `/deploy unlock`: anyone's lock unless it belongs to an action that has not ended.
    outcome release_as_approver(const std::string& service, const std::string& actor) {
        auto held = locks_.find(service);
        if (held == locks_.end()) {
            return outcome::not_found;
        }
        if (held->second.owner != actor) {
            for (std::size_t i = 0; i < actions_.size(); ++i) {
                if (action_name(i) == held->second.owner && !model_terminal(actions_[i].state)) {
                    return outcome::forbidden;
                }
            }
        }
        locks_.erase(held);
        ++audit_;
        return outcome::ok;
    }

    /// One wait per action, one action per key; nothing audited (the step that waits audits itself).
    outcome put_wait(std::size_t index, const std::string& key) {
        if (!exists(index)) {
            return outcome::not_found;
        }
        if (waits_.contains(index) ||
            std::ranges::any_of(waits_, [&](const auto& entry) { return entry.second == key; })) {
            return outcome::conflict;
        }
        waits_[index] = key;
        return outcome::ok;
    }
    bool take_wait(std::size_t index) { return waits_.erase(index) > 0; }
    std::map<std::string, std::string> waits() const {
        std::map<std::string, std::string> out;
        for (const auto& [index, key] : waits_) {
            out[action_name(index)] = key;
        }
        return out;
    }

    /// The executor's step boundaries: audit entries of a running action.
    void start_step(std::size_t index) {
        actions_[index].step_open = true;
        ++actions_[index].steps_started;
        ++audit_;
    }
    void finish_step(std::size_t index) {
        actions_[index].step_open = false;
        ++audit_;
    }

private:
    // One audited state change; a terminal state releases every lock the action owns (each audited).
    void move(std::size_t index, action_state to) {
        actions_[index].state = to;
        ++audit_;
        if (model_terminal(to)) {
            actions_[index].step_open = false;
            std::erase_if(locks_, [&](const auto& entry) {
                if (entry.second.owner != action_name(index)) {
                    return false;
                }
                ++audit_;
                return true;
            });
        }
    }

    const clock& clock_;
    std::vector<action> actions_;
    std::map<std::string, lock> locks_;
    std::map<std::size_t, std::string> waits_;  ///< action index -> wait key
    std::int64_t audit_ = 0;
};

}  // namespace opsbot::storage::property
