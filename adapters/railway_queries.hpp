#pragma once

// GraphQL documents sent to Railway, in the CLI's exact shape (docs/platforms.md §2.1, §2.2) with the extra
// fields the bot needs selected. Internal to the railway adapter.

namespace opsbot::adapters::railway_queries {

inline constexpr const char* deployments =
    "query Deployments($input: DeploymentListInput!, $first: Int) { deployments(input: $input, first: $first) "
    "{ edges { node { id createdAt status canRollback canRedeploy meta } } } }";

inline constexpr const char* latest_deployment =
    "query LatestDeployment($serviceId: String!, $environmentId: String!) { serviceInstance(environmentId: "
    "$environmentId, serviceId: $serviceId) { latestDeployment { id status createdAt canRollback canRedeploy meta } "
    "} }";

inline constexpr const char* deployment_status =
    "query DeploymentStatus($id: String!) { deployment(id: $id) { status } }";

// The schema says Boolean! (select nothing); the docs' `{ id status }` selection is wrong (docs/platforms.md §0).
inline constexpr const char* deployment_rollback =
    "mutation DeploymentRollback($id: String!) { deploymentRollback(id: $id) }";

// deploymentRedeploy(id: String!, usePreviousImageTag: Boolean): Deployment! (schema); the CLI's shape selects
// the new deployment's id (docs/platforms.md §2.2).
inline constexpr const char* deployment_redeploy =
    "mutation DeploymentRedeploy($id: String!) { deploymentRedeploy(id: $id) { id } }";

inline constexpr const char* service_instance_deploy =
    "mutation ServiceInstanceDeploy($environmentId: String!, $serviceId: String!) { "
    "serviceInstanceDeployV2(environmentId: $environmentId, serviceId: $serviceId) }";

inline constexpr const char* variable_collection_upsert =
    "mutation VariableCollectionUpsert($projectId: String!, $serviceId: String!, $environmentId: String!, "
    "$variables: EnvironmentVariables!, $skipDeploys: Boolean) { variableCollectionUpsert(input: {projectId: "
    "$projectId, environmentId: $environmentId, serviceId: $serviceId, variables: $variables, skipDeploys: "
    "$skipDeploys}) }";

// The answer is EnvironmentVariables!, a JSON map name -> value (docs/platforms.md §2.2).
inline constexpr const char* variables =
    "query Variables($projectId: String!, $environmentId: String!, $serviceId: String) { variables(projectId: "
    "$projectId, environmentId: $environmentId, serviceId: $serviceId) }";

// deploymentLogs(deploymentId: String!, filter: String, limit: Int, startDate, endDate): [Log!]! (railway-schema.json),
// selecting the CLI's LogFields without the attributes, plus severity.
inline constexpr const char* deployment_logs =
    "query DeploymentLogs($deploymentId: String!, $filter: String, $limit: Int) { deploymentLogs(deploymentId: "
    "$deploymentId, filter: $filter, limit: $limit) { timestamp message severity } }";

}  // namespace opsbot::adapters::railway_queries
