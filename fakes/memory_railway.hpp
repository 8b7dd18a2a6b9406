#pragma once
// An in-memory Railway service (no sockets), for `opsbot demo` and the unit tests. It keeps Railway's rules where the
// bot can tell (docs/platforms.md §2): lists newest first, a new deployment goes BUILDING -> DEPLOYING -> SUCCESS as it
// is polled and the one it replaces becomes REMOVED with canRollback, rollback needs canRollback, redeploy of a
// deployment needs canRedeploy, an unknown environment is invalid_input, and upserting variables redeploys unless
// skipDeploys.

#include "adapters/railway.hpp"
#include "core/clock.hpp"
#include "fakes/platform_record.hpp"

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace opsbot::fakes {

/// Railway's createdAt shape, "2026-11-26T10:00:00.000Z" (docs/platforms.md §7), for seeding.
std::string railway_timestamp(opsbot::clock::time_point t);

class memory_railway final : public adapters::railway_platform, public platform_record {
public:
    struct options {
        std::string service = "api";  ///< in messages and log lines
        std::vector<std::string> environments{"production", "staging"};
        int polls_to_finish = 3;    ///< the poll at which a new deployment settles (1: its first)
        std::string new_id_prefix;  ///< empty: Railway-shaped ids; else "<prefix>-<n>-from-<source id>"
    };
    /// Starts with no deployments and no variables: seed them with add() and set_variable(). `log` may be null.
    memory_railway(const opsbot::clock& clock, options opts, call_log* log = nullptr);

    result<std::vector<adapters::railway_deployment>> list_deployments(const std::string& environment_name,
                                                                      int first) override;
    result<adapters::railway_deployment> latest_deployment(const std::string& environment_name) override;
    result<std::string> deployment_status(const std::string& deployment_id) override;
    result<void> rollback(const std::string& deployment_id) override;
    result<std::string> redeploy_latest(const std::string& environment_name) override;
    result<std::string> redeploy_deployment(const std::string& deployment_id) override;
    result<void> upsert_variables(const std::string& environment_name,
                                  const std::map<std::string, std::string>& variables, bool skip_deploys) override;
    result<std::map<std::string, std::string>> variables(const std::string& environment_name) override;
    result<std::vector<adapters::railway_log_line>> deployment_logs(const std::string& deployment_id,
                                                                    const std::string& filter, int limit) override;

    // Seeding.
    /// Adds a deployment as given (an empty id gets a new one); returns its id.
    std::string add(const std::string& environment, adapters::railway_deployment deployment);
    /// Someone else shipped `id` in `environment`: it is live now, the one it replaced REMOVED.
    void ship(const std::string& environment, std::string id);
    void set_variable(const std::string& environment, const std::string& name, const std::string& value);
    /// A line deployment `deployment_id` logged (after its start-up lines).
    void add_log(const std::string& deployment_id, adapters::railway_log_line line);
    /// What every deployment that got past its build logs first (info, at its createdAt), now and later, e.g. the
    /// demo's workers announcing themselves; none by default.
    void log_at_startup(std::vector<std::string> lines);

    // Knobs.
    /// The next deployment created ends FAILED.
    void fail_next_deploy();
    /// Every upsert that writes `variable` is refused.
    void refuse_upserts_of(std::string variable);

    // What happened.
    /// The id of the live deployment of `environment` (newest that serves), empty when none.
    std::string live_id(const std::string& environment) const;
    /// A variable's value, empty when unset.
    std::string variable(const std::string& environment, const std::string& name) const;

private:
    struct entry {
        adapters::railway_deployment deployment;
        std::string environment;
        int polls = 0;
        bool will_fail = false;
    };
    std::string new_id(const std::string& source);
    std::string stamp();
    entry* find(const std::string& id);
    const entry* live_entry(const std::string& environment) const;
    void replace_live(const std::string& environment, const std::string& except_id);
    std::string create_from(entry source);
    /// A rollback or a redeploy of `deployment_id`: a new deployment from it, if its flag `allowed` says it may.
    result<std::string> new_deployment_from(const std::string& deployment_id, const std::string& mutation,
                                            bool adapters::railway_deployment::*allowed, const std::string& refusal);
    void advance(entry& e);
    result<void> known(const std::string& environment) const;

    const opsbot::clock& clock_;
    options options_;
    std::mt19937_64 random_{20261128};
    std::vector<entry> entries_;  ///< any order; lists are sorted newest first
    std::map<std::string, std::map<std::string, std::string>> variables_;
    std::map<std::string, std::vector<adapters::railway_log_line>> logs_;  ///< by deployment id
    std::vector<std::string> startup_lines_;
    std::string refused_variable_;
    bool fail_next_ = false;
    int created_ = 0;
};

}  // namespace opsbot::fakes
