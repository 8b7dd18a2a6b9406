#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A deployment held by fake_vercel; served in the documented list / single-read shapes (platforms.md §7).
struct fake_vercel_deployment {
    std::string uid;
    std::int64_t created = 0;  ///< ms since epoch
    std::string state = "READY";
    std::string ready_substate;  ///< "PROMOTED" on the aliased one; empty = field absent
    std::string target = "production";  ///< "" = preview (null on the wire)
    std::string sha;
    std::string ref = "main";
    bool is_rollback_candidate = true;
    std::string name = "web";
    /// The production environment this build was made with: what it serves while aliased. An instant rollback
    /// serves the target's (Vercel: "env-var edits are not re-applied"); a redeploy takes the current ones.
    std::map<std::string, std::string> env = {};
};

struct fake_vercel_env {
    std::string value;
    std::string type;
    std::vector<std::string> target;
};

/// One accepted POST /v10/projects/{id}/env, in arrival order (`seq` from next_fake_sequence()).
struct fake_vercel_env_write {
    std::uint64_t seq = 0;
    std::string key;
    std::string value;
    std::string type;
    std::vector<std::string> target;
    bool upsert = false;
};

/// A protocol-faithful Vercel REST API on loopback (platforms.md §1, §7), serving only the paths of the API
/// description (api-specs/vercel.json; anything else is 404, e.g. the CLI's /v9 rollback). Checks the bearer token and
/// teamId (403 {"error":{"code":"forbidden",…}} when wrong); rollback/promote start an alias job that goes
/// pending -> in-progress -> succeeded (or failed) over the next `alias_job_polls` project polls. A production
/// deployment made by POST /v13/deployments is aliased (PROMOTED) once READY, as Vercel does.
class fake_vercel {
public:
    struct options {
        std::string token = "vercel-test-token";
        std::string team_id = "team_123";  ///< "" = personal account: teamId must then be absent
        std::string project_id = "prj_abc";
        int alias_job_polls = 3;
        int build_polls = 2;  ///< GETs of a redeployed deployment until it is READY
        int max_page_size = 100;  ///< `limit` is clamped to this (pagination tests use a small one)
        int env_page_size = 0;    ///< GET …/env: variables in the answer (0 = all, no `pagination`; else
                                  ///< the first page only, with pagination.next set when more exist)
    };

    fake_vercel();
    explicit fake_vercel(options o);
    ~fake_vercel();
    fake_vercel(const fake_vercel&) = delete;
    fake_vercel& operator=(const fake_vercel&) = delete;

    /// "http://127.0.0.1:PORT": the service's api_url.
    std::string base_url() const;
    const options& settings() const { return options_; }

    void add_deployment(fake_vercel_deployment d);
    std::vector<fake_vercel_deployment> deployments() const;
    std::optional<fake_vercel_deployment> deployment(const std::string& uid) const;
    /// The project's lastAliasRequest as served (null when none).
    std::string last_alias_request_json() const;
    /// The next alias job ends in `failed` instead of `succeeded`.
    void fail_next_alias_job();
    /// The last value written per key (any target).
    std::map<std::string, fake_vercel_env> env() const;
    /// Seeds a variable for one target without recording a write (as if set in the dashboard before the
    /// deployments added so far were built: production ones carry it too).
    void set_env(const std::string& key, const std::string& value, const std::string& target,
                 const std::string& type = "encrypted");
    /// The value of `key` in the environment the aliased production deployment was built with (what it serves).
    std::optional<std::string> served_env(const std::string& key) const;
    /// The stored value of `key` for one target, if any.
    std::optional<std::string> env_value(const std::string& key, const std::string& target) const;
    /// Every accepted env POST, in order; and the values written for one key, in order.
    std::vector<fake_vercel_env_write> env_writes() const;
    std::vector<std::string> written_env_values(const std::string& key) const;
    /// The next `count` env POSTs fail: status 201 answers {"created":[],"failed":[{"error":…}]} (§1.5), any
    /// other status a Vercel error body. Nothing is stored for a failed write.
    void fail_env_writes(int status = 201, int count = 1);

    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const;
    size_t count(std::string_view method, std::string_view path_prefix) const;

private:
    sim::response handle(const sim::request& r);
    sim::response list(const sim::request& r);
    sim::response get_one(const std::string& id);
    sim::response alias_request(const sim::request& r, const std::string& id, const std::string& type);
    sim::response project(const sim::request& r);
    sim::response create_deployment(const sim::request& r);
    sim::response upsert_env(const sim::request& r);
    sim::response list_env(const sim::request& r);
    void store_env_locked(const std::string& key, const std::string& value, const std::string& type,
                          const std::string& target);
    std::map<std::string, std::string> production_env_locked() const;

    options options_;
    fake_knobs knobs_;
    mutable std::mutex mutex_;
    std::vector<fake_vercel_deployment> deployments_;
    std::map<std::string, int> build_polls_;  ///< uid -> polls seen while building
    std::map<std::string, fake_vercel_env> env_;
    struct env_record {
        std::string id, key, value, type, target;
        std::int64_t created = 0;
    };
    std::vector<env_record> env_records_;  ///< one per key + target
    std::vector<fake_vercel_env_write> env_writes_;
    int env_failures_left_ = 0;
    int env_failure_status_ = 201;
    struct alias_job {
        std::string from, to, status, type;
        std::int64_t requested_at = 0;
        int polls = 0;
        bool fail = false;
    };
    std::optional<alias_job> job_;
    bool fail_next_job_ = false;
    int next_id_ = 1;
    std::unique_ptr<sim::http_server> server_;  // last: stopped first
};

}  // namespace opsbot::testing
