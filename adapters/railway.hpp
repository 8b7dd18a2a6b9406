#pragma once

#include "adapters/deploy_platform.hpp"
#include "adapters/http_client.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// What a Railway `DeploymentStatus` means for "what serves" and for a step waiting on a deployment
/// (railway-schema.json: BUILDING CRASHED DEPLOYING FAILED INITIALIZING NEEDS_APPROVAL QUEUED REMOVED REMOVING
/// SKIPPED SLEEPING SUCCESS WAITING).
enum class railway_phase {
    live,            ///< SUCCESS, or SLEEPING: a serverless service asleep until traffic comes; it still serves
    in_progress,     ///< QUEUED, WAITING, INITIALIZING, BUILDING, DEPLOYING: wait for it
    failed,          ///< FAILED, CRASHED: it will not serve
    needs_approval,  ///< NEEDS_APPROVAL: held until someone approves it in Railway's dashboard; waiting will not help
    gone,            ///< REMOVED, REMOVING, SKIPPED: replaced, on its way out, or never deployed
    unknown,         ///< a status this build does not know
};

/// The phase of a DeploymentStatus string.
railway_phase classify_railway_status(std::string_view status);

/// A phrase for people: "live (SUCCESS)", "live, asleep until traffic comes (SLEEPING)", "waiting for approval in
/// Railway's dashboard (NEEDS_APPROVAL)", "being removed (REMOVING)", …
std::string railway_status_phrase(std::string_view status);

/// For a step waiting for a deployment to serve: why waiting longer cannot help — "ended FAILED", "ended REMOVED",
/// "is waiting for approval in Railway's dashboard (NEEDS_APPROVAL): …" — or nullopt while it may still go live
/// (in progress, live, or a status this build does not know).
std::optional<std::string> railway_wait_stop_reason(std::string_view status);

/// One Railway deployment of the configured service (docs/platforms.md §2.1).
struct railway_deployment {
    std::string id;
    std::string status;      ///< DeploymentStatus: see railway_phase
    std::string created_at;  ///< ISO 8601, e.g. "2026-11-26T10:00:00.000Z"
    bool can_rollback = false;
    bool can_redeploy = false;
    std::string commit_hash;  ///< meta.commitHash
    std::string commit_message;
    std::string branch;

    railway_phase phase() const { return classify_railway_status(status); }
    /// It serves (SUCCESS or SLEEPING).
    bool succeeded() const { return phase() == railway_phase::live; }
    bool failed() const { return phase() == railway_phase::failed; }
    bool in_progress() const { return phase() == railway_phase::in_progress; }
    /// Held for approval in Railway's dashboard: a waiting step reports it at once instead of waiting.
    bool needs_approval() const { return phase() == railway_phase::needs_approval; }
};

/// One line of a deployment's logs: railway-schema.json `Log` (timestamp RFC 3339 with nanoseconds, message, severity
/// "eg. err", nullable; the structured attributes are not read).
struct railway_log_line {
    std::string timestamp;
    std::string severity;  ///< empty when Railway sends none
    std::string message;
};

/// Most lines one deploymentLogs call answers (railway-schema.json: "defaults 100, max 5000").
inline constexpr int railway_log_limit_max = 5000;

/// The Railway service of one service_config, through the public GraphQL API (docs/platforms.md §2).
/// Auth header per service_config.token_header: "Authorization: Bearer <t>" (default) or
/// "Project-Access-Token: <t>". GraphQL `errors[]` in a 200 answer are errors ("Not Authorized" -> auth);
/// an answer without `data` -> bad_response. Environment names map to ids through service_config.environments;
/// an unknown name -> invalid_input naming `services.<name>.environments.<env>`.
/// Its deploy_platform face (kind, live, recent, variable_names) is implemented once, on these calls, in
/// adapters/railway_deploy.cpp.
class railway_platform : public deploy_platform {
public:
    platform_kind kind() const final { return platform_kind::railway; }
    /// pick_railway_live of the newest 20 deployments of `environment`.
    result<platform_deployment> live(const std::string& environment) final;
    /// list_deployments(environment, limit).
    result<std::vector<platform_deployment>> recent(const std::string& environment, int limit) final;
    /// The names of variables(environment); the values are wiped before it returns.
    result<std::set<std::string>> variable_names(const std::string& environment) final;
    railway_platform* as_railway() final { return this; }

    /// The service's deployments in that environment, newest first.
    virtual result<std::vector<railway_deployment>> list_deployments(const std::string& environment_name,
                                                                    int first) = 0;
    /// serviceInstance.latestDeployment: the newest deployment (may still be building).
    virtual result<railway_deployment> latest_deployment(const std::string& environment_name) = 0;
    virtual result<std::string> deployment_status(const std::string& deployment_id) = 0;
    /// deploymentRollback(id): Railway answers a Boolean; false is an error.
    virtual result<void> rollback(const std::string& deployment_id) = 0;
    /// serviceInstanceDeployV2: deploys the service again; returns the new deployment id.
    virtual result<std::string> redeploy_latest(const std::string& environment_name) = 0;
    /// deploymentRedeploy(id): a new deployment of that deployment's build with the service's CURRENT variables
    /// (runbook §5 "Redeploy the previous deployment"; a deploymentRollback would restore the variables the old
    /// deployment was made with). Needs canRedeploy. Returns the new deployment id.
    virtual result<std::string> redeploy_deployment(const std::string& /*deployment_id*/) {
        return fail(error_kind::unavailable, "this Railway adapter cannot redeploy a deployment");
    }
    /// variableCollectionUpsert for the service. Values are never logged; `skip_deploys` avoids the automatic
    /// redeploy (docs/platforms.md §0).
    virtual result<void> upsert_variables(const std::string& environment_name,
                                          const std::map<std::string, std::string>& variables,
                                          bool skip_deploys) = 0;
    /// `deploymentLogs(deploymentId, filter, limit)`: the newest `limit` (1..railway_log_limit_max) lines of a
    /// deployment's logs, oldest first. `filter` is Railway's log query ("" = every line, "@level:error" = errors,
    /// "\"text\"" = lines holding that text). The lines are the service's own output: callers redact them.
    virtual result<std::vector<railway_log_line>> deployment_logs(const std::string& /*deployment_id*/,
                                                                  const std::string& /*filter*/, int /*limit*/) {
        return fail(error_kind::unavailable, "this Railway adapter cannot read logs");
    }
    /// `variables(projectId, environmentId, serviceId)`: the service's variables, name -> value (§2.2).
    /// The values are secrets: callers keep them in memory only and never log them.
    virtual result<std::map<std::string, std::string>> variables(const std::string& /*environment_name*/) {
        return fail(error_kind::unavailable, "this Railway adapter cannot read variables");
    }
};

/// The real adapter. `token` is the value of service.token_env; `http` must outlive the adapter.
std::unique_ptr<railway_platform> make_railway_platform(const service_config& service, std::string token,
                                                        http_client& http);

/// The deployment a rollback should go to, from `deployments` (newest first) and the live deployment id.
/// Without `named`: the newest deployment listed after (older than) the live one with canRollback == true —
/// status does not decide, because a replaced deployment is usually REMOVED. With `named`: that deployment,
/// which must be listed, not live, and have canRollback. Errors are not_found / invalid_input.
result<railway_deployment> pick_railway_rollback_target(const std::vector<railway_deployment>& deployments,
                                                        std::string_view live_id,
                                                        std::optional<std::string_view> named = std::nullopt);

/// The deployment serving traffic: the newest live one (SUCCESS or SLEEPING) in `deployments` (newest first);
/// not_found otherwise, naming the newest deployment's state (e.g. waiting for approval).
result<railway_deployment> pick_railway_live(const std::vector<railway_deployment>& deployments);

}  // namespace opsbot::adapters
