#pragma once
// The storage under the property test: the real stores over a database file, reopened on restart (on PostgreSQL,
// tests/unit/storage/fixture.hpp, a scratch database, reconnected on restart).

#include <memory>
#include <stdexcept>

#include "../fixture.hpp"
#include "storage/wait_store.hpp"
#include "adapter.hpp"

namespace opsbot::storage::property {

class stores_adapter final : public storage_adapter {
public:
    explicit stores_adapter(const clock& clock) : clock_(clock) { open(); }

    std::string request(const std::string& requester, int required, clock::time_point expires_at) override {
        new_action a;
        a.family = "rollback";
        a.subject = "rollback web production";
        a.requester = user_id{requester};
        a.channel = channel_id{"C01"};
        a.plan_json = R"({"steps":["promote dpl_2"]})";
        a.plan_digest = digest;
        a.required_approvals = required;
        a.expires_at = expires_at;
        auto id = s_->actions.create(a);
        if (!id) {
            throw std::runtime_error("create failed: " + id.error().message);
        }
        return id->str();
    }

    decision_result decide(const std::string& action, const std::string& user, bool approve,
                           bool stale_plan) override {
        auto done = s_->approvals.record_decision(action_id{action}, user_id{user},
                                                  approve ? decision::approve : decision::deny,
                                                  stale_plan ? "digest-stale" : digest, allowed());
        if (!done) {
            return {outcome_of(done.error())};
        }
        return {outcome::ok, done->now_approved, done->now_denied, done->approvals};
    }

    outcome cancel(const std::string& action, const std::string& user) override {
        return of(s_->approvals.cancel(action_id{action}, user_id{user}));
    }

    outcome transition(const std::string& action, action_state from, action_state to,
                       const std::string& actor) override {
        return of(s_->actions.transition(action_id{action}, from, to, actor));
    }

    std::vector<std::string> sweep_expired() override { return ids(s_->actions.sweep_expired()); }

    std::vector<std::string> restart(bool shutdown) override {
        std::vector<std::string> out;
        if (shutdown) {
            out = ids(s_->actions.mark_interrupted_at_shutdown());
        }
        s_.reset();  // closes the connection
        open();
        auto at_start = ids(s_->actions.mark_interrupted_at_startup());
        out.insert(out.end(), at_start.begin(), at_start.end());
        return out;
    }

    outcome claim(const std::string& service, const std::string& owner, clock::time_point expires_at) override {
        return of(s_->locks.claim(service, "production", owner, "property test", expires_at));
    }

    outcome release(const std::string& service, const std::string& owner) override {
        return of(s_->locks.release(service, "production", owner));
    }

    outcome release_as_approver(const std::string& service, const std::string& actor) override {
        return of(s_->locks.release_as_approver(service, "production", actor));
    }

    outcome put_wait(const std::string& action, const std::string& key) override {
        person_wait wait;
        wait.action = action_id{action};
        wait.key = key;
        wait.requester = "U01";
        wait.deadline = clock_.now() + std::chrono::hours{1};
        return of(s_->waits.put(wait));
    }

    bool take_wait(const std::string& action) override { return s_->waits.take(action_id{action}).value(); }

    std::map<std::string, std::string> waits() override {
        std::map<std::string, std::string> out;
        auto all = s_->waits.all();
        for (const auto& wait : all.value()) {
            out[wait.action.str()] = wait.key;
        }
        return out;
    }

    bool append_step(const std::string& action, const std::string& event) override {
        return s_->audit.append({"opsbot", action_id{action}, event, {{"index", 1}}}).has_value();
    }

    bool raw_update_refused(const std::string& action, action_state to) override {
        auto session = s_->db.acquire();
        auto& conn = session.sql();
        conn.begin_write();  // rolled back below: the probe changes nothing either way
        bool refused = false;
        try {
            sql::statement update(conn, "UPDATE actions SET state = ? WHERE seq = ?");
            update.bind(1, std::string(to_string(to)));
            update.bind(2, static_cast<std::int64_t>(std::stoll(action.substr(2))));
            update.exec();
        } catch (const sql::error& e) {
            refused = e.kind() == sql::failure::refused_by_trigger &&
                      std::string(e.what()).find("illegal action state transition") != std::string::npos;
            if (!refused) {
                conn.rollback();
                throw;
            }
        }
        conn.rollback();
        return refused;
    }

    std::optional<action_state> state_of(const std::string& action) override {
        auto found = s_->actions.get(action_id{action});
        if (!found) {
            return std::nullopt;
        }
        return found->state;
    }

    std::set<std::string> approvers_of(const std::string& action) override {
        std::set<std::string> out;
        auto decisions = s_->approvals.decisions(action_id{action});
        if (decisions) {
            for (const auto& d : *decisions) {
                if (d.decision == decision::approve) {
                    out.insert(d.user.str());
                }
            }
        }
        return out;
    }

    std::map<std::string, std::string> active_locks() override {
        std::map<std::string, std::string> out;
        auto active = s_->locks.list_active();
        for (const auto& lock : active.value()) {
            out[lock.service] = lock.owner;
        }
        return out;
    }

    std::int64_t verified_audit_entries() override {
        auto verified = s_->audit.verify();
        return verified && verified->ok() ? verified->entries : -1;
    }

    int audit_count(const std::string& action, const std::string& event) override {
        int n = 0;
        auto entries = s_->audit.for_action(action_id{action});
        for (const auto& e : entries.value()) {
            n += e.event == event ? 1 : 0;
        }
        return n;
    }

private:
    // The stores of one process lifetime, on the test's clock.
    struct stores {
        stores(const std::string& path, const clock& clock)
            : owned(testing::open_test_database(path)),
              actions(db, clock),
              approvals(db, clock),
              locks(db, clock),
              audit(db, clock),
              waits(db, clock) {}
        std::unique_ptr<database> owned;
        database& db = *owned;
        action_store actions;
        approval_store approvals;
        lock_store locks;
        audit_log audit;
        wait_store waits;
    };

    static constexpr const char* digest = "digest-1";

    static std::set<user_id> allowed() { return {user_id{"U01"}, user_id{"U02"}, user_id{"U03"}}; }

    static outcome of(const result<void>& r) { return r ? outcome::ok : outcome_of(r.error()); }
    template <class T>
    static outcome of(const result<T>& r) {
        return r ? outcome::ok : outcome_of(r.error());
    }

    static std::vector<std::string> ids(const result<std::vector<action_record>>& found) {
        std::vector<std::string> out;
        for (const auto& a : found.value()) {
            out.push_back(a.id.str());
        }
        return out;
    }

    void open() { s_ = std::make_unique<stores>(path_.str(), clock_); }

    // A real file, reopened on restart; on tmpfs when there is one, as fsync is not what this test is about.
    static std::filesystem::path scratch_dir() {
        std::error_code ec;
        return std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                              : std::filesystem::temp_directory_path();
    }

    const clock& clock_;
    testing::temp_db_path path_{scratch_dir()};
    std::unique_ptr<stores> s_;
};

}  // namespace opsbot::storage::property
