#pragma once

#include "adapters/deploy_platform.hpp"
#include "adapters/http_client.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// One Vercel deployment, as listed by GET /v7/deployments or read by GET /v13/deployments/{id}
/// (docs/platforms.md §1.1, §1.2).
struct vercel_deployment {
    std::string id;              ///< `uid` in lists, `id` in the single read ("dpl_…")
    std::string name;            ///< project name
    std::string url;             ///< "web-4tn2.vercel.app"
    std::string state;           ///< READY | BUILDING | ERROR | CANCELED | QUEUED | INITIALIZING | DELETED
    std::string ready_substate;  ///< STAGED | ROLLING | PROMOTED, or empty
    std::int64_t created_ms = 0;
    std::string commit_sha;  ///< meta.githubCommitSha
    std::string commit_ref;  ///< meta.githubCommitRef
    std::string target;      ///< "production", "staging", or empty (preview)
    bool is_rollback_candidate = false;

    bool ready() const { return state == "READY"; }
    bool production() const { return target == "production"; }
};

/// One project environment variable as listed by GET /v10/projects/{id}/env (§1.5). Never the value.
struct vercel_env_var {
    std::string id;   ///< "env_…"
    std::string key;  ///< "OPENAI_API_KEY"
    std::string type;  ///< plain | encrypted | sensitive | system | secret
    std::vector<std::string> targets;  ///< production | preview | development
};

/// The project's last alias job (rollback or promote), from GET /v9/projects/{id}?rollbackInfo=true (§1.3).
struct vercel_alias_job {
    bool present = false;  ///< false when the project has no lastAliasRequest
    std::string from_deployment_id;
    std::string to_deployment_id;
    std::string job_status;  ///< pending | in-progress | succeeded | failed | skipped
    std::int64_t requested_at_ms = 0;
    std::string type;  ///< "rollback" | "promote"

    bool finished() const { return job_status == "succeeded" || job_status == "failed" || job_status == "skipped"; }
};

/// The Vercel project of one service. Every call carries `teamId` when the service has a team (§1).
/// Errors: 401/403 -> auth, 404 -> not_found, 409 -> conflict, 429 -> rate_limited, other statuses ->
/// http_status, with the message "Vercel: <code>: <message>"; malformed JSON -> bad_response.
/// Its deploy_platform face (kind, live, recent, variable_names) is implemented once, on these calls, in
/// adapters/vercel_deploy.cpp: production only, as opsbot deploys Vercel production only.
class vercel_platform : public deploy_platform {
public:
    platform_kind kind() const final { return platform_kind::vercel; }
    /// "production": current_production(); any other environment is unavailable (staging builds come from git).
    result<platform_deployment> live(const std::string& environment) final;
    /// "production": list_production_deployments(limit); any other environment is unavailable.
    result<std::vector<platform_deployment>> recent(const std::string& environment, int limit) final;
    /// list_env of "production" for production, of "preview" for any other environment (§1.5).
    result<std::set<std::string>> variable_names(const std::string& environment) final;
    vercel_platform* as_vercel() final { return this; }

    /// Production deployments of the project, newest first, at most `limit` (pages are followed).
    virtual result<std::vector<vercel_deployment>> list_production_deployments(int limit) = 0;
    virtual result<vercel_deployment> get_deployment(const std::string& id) = 0;
    /// The deployment serving production now; see pick_vercel_current_production for the rule.
    virtual result<vercel_deployment> current_production() = 0;
    /// Starts an instant rollback to `deployment_id` (POST /v1/projects/{id}/rollback/{deployment}); completion is
    /// seen only via alias_job_status() (§0).
    virtual result<void> request_rollback(const std::string& deployment_id) = 0;
    /// Starts a promote of `deployment_id` (also how a rollback is undone, §1.3).
    virtual result<void> request_promote(const std::string& deployment_id) = 0;
    virtual result<vercel_alias_job> alias_job_status() = 0;
    /// Rebuilds `from_deployment_id` as a new deployment (§1.4); returns the new deployment id. With
    /// `latest_commit` the build takes the newest commit of the deployment's branch (withLatestCommit: may ship
    /// unreleased code, only for /deploy); without it, the same commit as `from_deployment_id` (e.g. /rotate:
    /// same code, new environment).
    virtual result<std::string> redeploy(const std::string& from_deployment_id, const std::string& name,
                                         const std::string& target, bool latest_commit) = 0;
    /// Creates or replaces a project environment variable (§1.5). The value is never logged.
    virtual result<void> upsert_env(const std::string& key, const std::string& value, const std::string& type,
                                    const std::vector<std::string>& targets) = 0;
    /// The project's variables for one target ("production", "preview"), names and types only: the list is
    /// requested without decrypt and values are dropped on parsing (§1.5). The endpoint documents no way to ask
    /// for a next page: an answer announcing one (pagination.next) is `unavailable`, never a partial list.
    virtual result<std::vector<vercel_env_var>> list_env(const std::string& /*target*/) {
        return fail(error_kind::unavailable, "this Vercel adapter cannot list environment variables");
    }
};

/// The real adapter. `token` is the value of service.token_env; `http` must outlive the adapter.
std::unique_ptr<vercel_platform> make_vercel_platform(const service_config& service, std::string token,
                                                      http_client& http);

/// Which deployment serves production: the newest READY production deployment whose readySubstate is
/// PROMOTED (after a rollback that is an OLDER one than the newest READY); when none is marked PROMOTED
/// (older API answers lack the field), the newest READY production deployment. `newest_first` may be in any
/// order. not_found when nothing is READY.
result<vercel_deployment> pick_vercel_current_production(const std::vector<vercel_deployment>& deployments);

/// The deployment a rollback should go to. Without `named`: the newest READY production deployment created
/// before `current_id` (ERROR, CANCELED, building and preview ones are skipped). With `named`: that deployment,
/// which must be in the list, READY, production, and not the current one. Errors are invalid_input / not_found
/// with a message fit for the user.
result<vercel_deployment> pick_vercel_rollback_target(const std::vector<vercel_deployment>& deployments,
                                                      std::string_view current_id,
                                                      std::optional<std::string_view> named = std::nullopt);

/// True for ids safe to place in a URL path ("dpl_…", letters, digits, '_' and '-').
bool is_valid_vercel_id(std::string_view id);

}  // namespace opsbot::adapters
