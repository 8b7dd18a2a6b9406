#pragma once
// An in-memory Vercel project (no sockets), for `opsbot demo` and the unit tests. It keeps Vercel's rules where the
// bot can tell (docs/platforms.md §1): lists newest first; a rollback or promote is an alias job that goes pending ->
// in-progress -> succeeded as it is polled and only then moves production; a redeploy builds for a few polls and a
// production build that gets READY is promoted (Vercel assigns the production domains to it).

#include "adapters/vercel.hpp"
#include "core/clock.hpp"
#include "fakes/platform_record.hpp"

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace opsbot::fakes {

class memory_vercel final : public adapters::vercel_platform, public platform_record {
public:
    struct options {
        int polls_to_finish = 2;    ///< the poll at which a build or an alias job settles (1: its first)
        std::string new_id_prefix;  ///< empty: Vercel-shaped ids; else "<prefix><n>"
    };
    /// Starts with no deployments and no variables: seed them with add() and set_env(). `log` may be null.
    memory_vercel(const opsbot::clock& clock, options opts, call_log* log = nullptr);

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
    /// Names, types and targets of the variables of one target; values are never listed.
    result<std::vector<adapters::vercel_env_var>> list_env(const std::string& target) override;

    // Seeding.
    /// Adds a deployment as given (an empty id gets a new one; a PROMOTED one takes production); returns its id.
    std::string add(adapters::vercel_deployment deployment);
    /// Sets a variable as if it had been there before (not logged, not in written()).
    void set_env(const std::string& key, const std::string& value, const std::string& type,
                 const std::vector<std::string>& targets);
    /// Someone else shipped `id` at commit `sha`: a READY production deployment, newest, promoted.
    void ship(std::string id, std::string sha);

    // Knobs.
    /// The next alias job ends `failed`.
    void fail_next_alias_job();
    /// Every env upsert is refused (HTTP 500).
    void refuse_upserts();
    /// The next build started by redeploy() settles in `state` ("ERROR" or "CANCELED") instead of READY: a build
    /// that failed or was cancelled by someone else (docs/platforms.md §1.2).
    void end_next_build(std::string state);

    // What happened.
    /// Names of the env vars set so far (values are kept only in memory, never shown).
    std::vector<std::string> env_names() const;

private:
    std::string new_id();
    std::int64_t stamp_ms();
    adapters::vercel_deployment* find(const std::string& id);
    void promote(const std::string& id);
    void store_env(const std::string& key, const std::string& value, const std::string& type,
                   const std::vector<std::string>& targets);
    result<void> start_alias_job(const std::string& id, const std::string& type);

    const opsbot::clock& clock_;
    options options_;
    std::mt19937_64 random_{20261127};
    std::vector<adapters::vercel_deployment> deployments_;  ///< newest first
    std::map<std::string, int> build_polls_;
    std::string next_build_end_ = "READY";
    std::map<std::string, std::string> build_ends_;  ///< build id -> the state it settles in
    struct env_entry {
        std::string id, value, type;
    };
    std::map<std::pair<std::string, std::string>, env_entry> env_;  ///< (key, target) -> entry
    adapters::vercel_alias_job job_;
    int job_polls_ = 0;
    bool fail_next_job_ = false;
    bool refuse_upserts_ = false;
    int made_ = 0;     ///< new deployments, for their ids
    int stamped_ = 0;  ///< millisecond steps that keep deployments made at one clock reading ordered
};

}  // namespace opsbot::fakes
