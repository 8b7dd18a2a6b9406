#pragma once

// SANDBOX ONLY: in-memory stand-ins for Vercel, Railway and /health, used by `opsbot demo` so the whole
// bot can be tried with no accounts and no network. Nothing here talks to a real platform. The sandboxes
// behave like the real APIs where the bot can tell (platforms.md §1-§2): realistic ids, newest-first lists,
// a rollback that is asynchronous and finishes only after a few polls.

#include "adapters/health.hpp"
#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "core/clock.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace opsbot::bot {

/// Sandbox Vercel project "web": six production deployments (one ERROR), the newest PROMOTED.
/// Rollback/promote go pending -> in-progress -> succeeded over `polls_to_finish` alias-job polls.
class sandbox_vercel final : public adapters::vercel_platform {
public:
    explicit sandbox_vercel(const opsbot::clock& clock, int polls_to_finish = 2);

    result<std::vector<adapters::vercel_deployment>> list_production_deployments(int limit) override;
    result<adapters::vercel_deployment> get_deployment(const std::string& id) override;
    result<adapters::vercel_deployment> current_production() override;
    result<void> request_rollback(const std::string& deployment_id) override;
    result<void> request_promote(const std::string& deployment_id) override;
    result<adapters::vercel_alias_job> alias_job_status() override;
    result<std::string> redeploy(const std::string& from_deployment_id, const std::string& name,
                                 const std::string& target, bool latest_commit) override;
    result<void> upsert_env(const std::string& key, const std::string& value, const std::string& type,
                            const std::vector<std::string>& targets) override;
    /// Names, types and targets of the variables of one target (seeded with the web app's usual ones).
    result<std::vector<adapters::vercel_env_var>> list_env(const std::string& target) override;

    /// Sandbox knob: the next alias job ends `failed`.
    void fail_next_alias_job();
    /// Names of the env vars set so far (values are kept only in memory, never shown).
    std::vector<std::string> env_names() const;

private:
    result<void> start_alias_job(const std::string& id, const std::string& type);

    const opsbot::clock& clock_;
    int polls_to_finish_;
    mutable std::mutex mutex_;
    std::mt19937_64 random_{20261127};
    std::vector<adapters::vercel_deployment> deployments_;  ///< newest first
    std::map<std::string, int> build_polls_;
    struct env_entry {
        std::string id, value, type;
    };
    std::map<std::pair<std::string, std::string>, env_entry> env_;  ///< (key, target) -> entry
    adapters::vercel_alias_job job_;
    int job_polls_ = 0;
    bool fail_next_ = false;
};

/// Sandbox Railway service "api" with environments "production" and "staging". A rollback or deploy creates
/// a new deployment that goes BUILDING -> DEPLOYING -> SUCCESS over `polls_to_finish` polls; the replaced
/// live deployment becomes REMOVED with canRollback true, as on Railway.
class sandbox_railway final : public adapters::railway_platform {
public:
    explicit sandbox_railway(const opsbot::clock& clock, int polls_to_finish = 3);

    result<std::vector<adapters::railway_deployment>> list_deployments(const std::string& environment_name,
                                                                      int first) override;
    result<adapters::railway_deployment> latest_deployment(const std::string& environment_name) override;
    result<std::string> deployment_status(const std::string& deployment_id) override;
    result<void> rollback(const std::string& deployment_id) override;
    result<std::string> redeploy_latest(const std::string& environment_name) override;
    result<std::string> redeploy_deployment(const std::string& deployment_id) override;
    result<void> upsert_variables(const std::string& environment_name,
                                  const std::map<std::string, std::string>& variables, bool skip_deploys) override;
    /// The service's variables in one environment (seeded with the API's usual ones). Values are sandbox-made.
    result<std::map<std::string, std::string>> variables(const std::string& environment_name) override;

    /// Sandbox knob: the next deployment created ends FAILED.
    void fail_next_deploy();

private:
    struct entry {
        adapters::railway_deployment deployment;
        std::string environment;
        int polls = 0;
        bool will_fail = false;
    };
    std::string new_id();
    std::string timestamp(std::chrono::minutes ago) const;
    entry& create_from(const entry& source);
    void advance(entry& e);
    bool known(const std::string& environment) const;

    const opsbot::clock& clock_;
    int polls_to_finish_;
    mutable std::mutex mutex_;
    std::mt19937_64 random_{20261128};
    std::vector<entry> entries_;  ///< any order; lists are sorted newest first
    std::map<std::string, std::map<std::string, std::string>> variables_;
    bool fail_next_ = false;
    int created_ = 0;
};

/// Sandbox /health: every URL answers the runbook's healthy shape unless a check is set otherwise.
class sandbox_health final : public adapters::health_checker {
public:
    result<adapters::health_report> check(const std::string& url, std::chrono::milliseconds timeout) override;
    /// Sandbox knob: e.g. set_check("db", "down"); set_check("db", "ok") heals it.
    void set_check(const std::string& name, const std::string& value);

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> checks_{{"db", "ok"}, {"redis", "ok"}};
};

/// The three sandboxes together, as the demo wires them.
struct sandbox_platforms {
    std::unique_ptr<sandbox_vercel> vercel;
    std::unique_ptr<sandbox_railway> railway;
    std::unique_ptr<sandbox_health> health;
};
sandbox_platforms make_sandbox_platforms(const opsbot::clock& clock);

/// A sandbox service_config for each service (platform, names, environments) so the demo's config matches.
std::map<std::string, service_config> sandbox_service_configs();

}  // namespace opsbot::bot
