#pragma once

#include "config/config.hpp"
#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"
#include "tests/support/graphql_document.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A deployment held by fake_railway (docs/platforms.md §2.1 fields).
struct fake_railway_deployment {
    std::string id;
    std::string environment_id;
    std::string created_at;  ///< ISO 8601 UTC, e.g. "2026-11-26T10:00:00.000Z"
    std::string status = "SUCCESS";
    bool can_rollback = false;
    bool can_redeploy = true;
    std::string commit_hash;
    std::string commit_message = "change";
    std::string branch = "main";
    // progress of a deployment the fake created (rollback, deploy)
    int polls = 0;
    bool will_fail = false;
    bool replaces_live = false;
    /// The service variables this deployment was made with: what it serves while live. A rollback to it
    /// restores them (Railway: "both the Docker image and custom variables are restored").
    std::map<std::string, std::string> variables = {};
};

/// A deployment for a seed: `status` SUCCESS for the live one, REMOVED or FAILED for those it replaced.
fake_railway_deployment seeded_railway_deployment(std::string id, std::string created_at, std::string status,
                                                  bool can_rollback, std::string commit_hash);

/// One accepted variableCollectionUpsert, in arrival order (`seq` from next_fake_sequence()).
struct fake_railway_variable_write {
    std::uint64_t seq = 0;
    std::string environment_id;
    std::map<std::string, std::string> variables;
    bool skip_deploys = false;  ///< the flag as sent (absent = false)
};

/// A protocol-faithful Railway GraphQL endpoint on loopback (docs/platforms.md §2, §7). Checks the auth header
/// for the configured token kind; wrong credentials answer 200 {"data":null,"errors":[{"message":"Not Authorized"}]}.
/// Every document is parsed and validated against Railway's published schema (tests/api_specs/) first: one that
/// does not validate, or whose variables do not fit their types, answers 200 {"errors":[...]} with no data. The
/// operation is chosen by its root fields, and the answer holds only the fields the document selected.
/// deploymentRollback creates a new deployment (newest) that goes BUILDING -> DEPLOYING -> SUCCESS over
/// `deploy_polls` polls (latestDeployment or deployment(id)), or FAILED when told; on SUCCESS the replaced
/// live deployment becomes REMOVED with canRollback true. Variables as on Railway: every deployment keeps the
/// variables it was made with; deploymentRollback restores the target's (image AND variables), while
/// deploymentRedeploy and serviceInstanceDeployV2 build with the service's current variables.
class fake_railway {
public:
    struct options {
        std::string token = "railway-test-token";
        bool project_token = false;  ///< true: expects "Project-Access-Token: <t>" and no Authorization
        std::string project_id = "proj-11111111";
        std::string service_id = "svc-22222222";
        std::map<std::string, std::string> environments{{"production", "env-prod-3333"}, {"staging", "env-stg-4444"}};
        int deploy_polls = 3;
    };

    fake_railway();
    explicit fake_railway(options o);
    ~fake_railway();
    fake_railway(const fake_railway&) = delete;
    fake_railway& operator=(const fake_railway&) = delete;

    /// The GraphQL endpoint: "http://127.0.0.1:PORT/graphql/v2" (the service's api_url).
    std::string api_url() const;
    const options& settings() const { return options_; }
    /// The service_config of a Railway service `name` that points at this fake (ids, environments, token header).
    service_config service(std::string name = "api") const;

    /// Adds a deployment; an empty environment_id means "production".
    void add_deployment(fake_railway_deployment d);
    std::vector<fake_railway_deployment> deployments() const;
    std::optional<fake_railway_deployment> deployment(const std::string& id) const;
    /// The next deployment the fake creates ends FAILED.
    void fail_next_deploy();
    /// The next deployment the fake creates waits in NEEDS_APPROVAL (held for approval in the dashboard) for good.
    void hold_next_deploy_for_approval();
    /// The next deploymentRollback answers `false`.
    void rollback_false_next();
    /// From now on a deployment in progress settles at its `polls`-th poll (1: the next one); a test starts with a
    /// huge deploy_polls to keep one in progress while it looks, then lets it settle.
    void settle_deployments_at(int polls);
    /// Variables per environment id (seeded and upserted).
    std::map<std::string, std::map<std::string, std::string>> variables() const;
    /// Seeds a variable without recording a write, as if set before the deployments added so far were made (they
    /// carry it too); an empty environment_id means "production".
    void set_variable(const std::string& name, const std::string& value, std::string environment_id = "");
    /// The variables the live deployment (newest SUCCESS) of that environment was made with: what it serves.
    std::map<std::string, std::string> served_variables(std::string environment_id = "") const;
    /// Every accepted upsert in order; the values written for one name, in order; the skipDeploys flags seen.
    std::vector<fake_railway_variable_write> variable_writes() const;
    std::vector<std::string> written_values(const std::string& name) const;
    std::vector<bool> skip_deploys_seen() const;
    /// The next `count` variableCollectionUpsert calls answer a GraphQL error (200 + errors[]) and store nothing.
    /// Each "{value}" in `message` becomes the first value sent, as a validation error quoting its input does.
    void fail_variable_upserts(std::string message = "Internal server error", int count = 1);
    /// The values sent by upserts that were refused by fail_variable_upserts(), in order.
    std::vector<std::string> refused_values() const;

    /// A line deployment `deployment_id` logged, answered by deploymentLogs (oldest first, Railway's filter:
    /// fakes/railway_logs.hpp). `severity` as Railway sends it ("info", "error", …).
    void add_log(const std::string& deployment_id, std::string timestamp, std::string severity, std::string message);

    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const;
    /// Requests whose GraphQL body contains `operation` (e.g. "deploymentRollback").
    size_t count_operation(std::string_view operation) const;

private:
    sim::response handle(const sim::request& r);
    boost::json::value dispatch(const graphql::document& doc, const graphql::operation& op,
                                const boost::json::object& vars);
    boost::json::value resolve_root(const std::string& operation_type, const std::string& field,
                                    const boost::json::object& args);
    boost::json::value list(const boost::json::object& vars);
    boost::json::value latest(const boost::json::object& vars);
    boost::json::value status(const boost::json::object& vars);
    boost::json::value rollback(const boost::json::object& vars);
    boost::json::value redeploy(const boost::json::object& vars);
    boost::json::value deploy(const boost::json::object& vars);
    boost::json::value upsert(const boost::json::object& vars);
    boost::json::value read_variables(const boost::json::object& vars);
    boost::json::value logs(const boost::json::object& vars);
    fake_railway_deployment& create_from(const fake_railway_deployment& source,
                                         std::map<std::string, std::string> variables);
    void advance(fake_railway_deployment& d);
    bool known_environment(const std::string& id) const;

    options options_;
    fake_knobs knobs_;
    mutable std::mutex mutex_;
    std::vector<fake_railway_deployment> deployments_;
    std::map<std::string, std::map<std::string, std::string>> variables_;
    std::vector<fake_railway_variable_write> variable_writes_;
    /// Log lines by deployment id: timestamp, severity, message.
    std::map<std::string, std::vector<std::array<std::string, 3>>> logs_;
    std::string upsert_failure_message_;
    std::vector<std::string> refused_values_;
    int upsert_failures_left_ = 0;
    bool fail_next_deploy_ = false;
    bool hold_next_deploy_ = false;
    bool rollback_false_next_ = false;
    int next_id_ = 1;
    std::unique_ptr<sim::http_server> server_;  // last: stopped first
};

/// The stack description's entry for a service `api` on this fake (`"api": {…}`, JSONC), its token in RAILWAY_TOKEN
/// and, when `health_url` is given, its production /health there: for a config file a real `opsbot run` reads.
std::string api_service_jsonc(const fake_railway& railway, const std::string& health_url = {});

}  // namespace opsbot::testing
