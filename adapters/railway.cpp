// The Railway GraphQL adapter (docs/platforms.md §2).
#include "core/json_fields.hpp"
#include "adapters/railway.hpp"

#include "adapters/provider_http.hpp"
#include "adapters/railway_queries.hpp"
#include "core/secure_memory.hpp"
#include "core/wiping_json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <span>
#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {


bool bool_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

bool contains_ci(std::string_view text, std::string_view needle) {
    const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
}

railway_deployment parse_deployment(const json::object& o) {
    railway_deployment d;
    d.id = json_string(o, "id");
    d.status = json_string(o, "status");
    d.created_at = json_string(o, "createdAt");
    d.can_rollback = bool_field(o, "canRollback");
    d.can_redeploy = bool_field(o, "canRedeploy");
    // meta is a JSON scalar, null for some deployments (docs/platforms.md §2.1).
    if (const auto* meta = o.if_contains("meta"); meta && meta->is_object()) {
        d.commit_hash = json_string(meta->get_object(), "commitHash");
        d.commit_message = json_string(meta->get_object(), "commitMessage");
        d.branch = json_string(meta->get_object(), "branch");
    }
    return d;
}

/// How call() treats one operation.
struct call_options {
    /// Values sent in `variables`: scrubbed from any error text before it is logged or returned.
    std::span<const std::string_view> secrets;
    /// A mutation Railway documents as safe to repeat (the client may then retry it). Queries always are.
    bool idempotent_mutation = false;
    /// The answer carries secret values: the body and the parsed document are wiped when dropped.
    bool secret_answer = false;
};

/// Overwrites a response body (a copy of secret values) when the scope ends, whatever path leaves it.
class body_wiper {
public:
    explicit body_wiper(std::string* body) : body_(body) {}
    ~body_wiper() {
        if (body_ != nullptr) {
            secure_erase(*body_);
        }
    }
    body_wiper(const body_wiper&) = delete;
    body_wiper& operator=(const body_wiper&) = delete;

private:
    std::string* body_;
};

class railway_impl final : public railway_platform {
public:
    railway_impl(service_config service, std::string token, http_client& http)
        : service_(std::move(service)), token_(std::move(token)), http_(http) {}

    result<std::vector<railway_deployment>> list_deployments(const std::string& environment_name,
                                                            int first) override {
        auto env = environment_id(environment_name);
        if (!env) {
            return std::unexpected(env.error());
        }
        if (first <= 0 || first > 1000) {
            return fail(error_kind::invalid_input, "Railway: deployments to list must be 1..1000");
        }
        json::object input{
            {"projectId", service_.project_id}, {"environmentId", *env}, {"serviceId", service_.service_id}};
        auto data = call("Deployments", railway_queries::deployments, {{"input", std::move(input)}, {"first", first}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* conn = data->if_contains("deployments");
        const auto* edges = conn && conn->is_object() ? conn->get_object().if_contains("edges") : nullptr;
        if (!edges || !edges->is_array()) {
            return fail(error_kind::bad_response, "Railway: Deployments: no deployments.edges array");
        }
        std::vector<railway_deployment> out;
        for (const auto& edge : edges->get_array()) {
            const auto* node = edge.is_object() ? edge.get_object().if_contains("node") : nullptr;
            if (!node || !node->is_object()) {
                return fail(error_kind::bad_response, "Railway: Deployments: an edge has no node");
            }
            out.push_back(parse_deployment(node->get_object()));
        }
        // Newest first is assumed by the CLI but not stated (docs/platforms.md §2.1): sort to be sure.
        // ISO 8601 UTC timestamps of one format sort as strings.
        std::stable_sort(out.begin(), out.end(), [](const railway_deployment& a, const railway_deployment& b) {
            return a.created_at > b.created_at;
        });
        return out;
    }

    result<railway_deployment> latest_deployment(const std::string& environment_name) override {
        auto env = environment_id(environment_name);
        if (!env) {
            return std::unexpected(env.error());
        }
        auto data = call("LatestDeployment", railway_queries::latest_deployment,
                         {{"serviceId", service_.service_id}, {"environmentId", *env}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* instance = data->if_contains("serviceInstance");
        if (!instance || !instance->is_object()) {
            return fail(error_kind::not_found, "Railway: service " + service_.service_id + " has no instance in " +
                                                   environment_name);
        }
        const auto* latest = instance->get_object().if_contains("latestDeployment");
        if (!latest || !latest->is_object()) {
            return fail(error_kind::not_found, "Railway: no deployment yet in " + environment_name);
        }
        return parse_deployment(latest->get_object());
    }

    result<std::string> deployment_status(const std::string& deployment_id) override {
        auto data = call("DeploymentStatus", railway_queries::deployment_status, {{"id", deployment_id}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* d = data->if_contains("deployment");
        const std::string status = d && d->is_object() ? json_string(d->get_object(), "status") : std::string();
        if (status.empty()) {
            return fail(error_kind::not_found, "Railway: deployment " + deployment_id + " not found");
        }
        return status;
    }

    result<void> rollback(const std::string& deployment_id) override {
        auto data = call("DeploymentRollback", railway_queries::deployment_rollback, {{"id", deployment_id}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* ok = data->if_contains("deploymentRollback");
        if (!ok || !ok->is_bool()) {
            return fail(error_kind::bad_response, "Railway: DeploymentRollback: no Boolean in the answer");
        }
        if (!ok->get_bool()) {
            return fail(error_kind::conflict, "Railway: rollback to " + deployment_id + " was refused (false)");
        }
        spdlog::info("Railway: rollback to {} accepted", deployment_id);
        return {};
    }

    result<std::string> redeploy_latest(const std::string& environment_name) override {
        auto env = environment_id(environment_name);
        if (!env) {
            return std::unexpected(env.error());
        }
        auto data = call("ServiceInstanceDeploy", railway_queries::service_instance_deploy,
                         {{"environmentId", *env}, {"serviceId", service_.service_id}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const std::string id = json_string(*data, "serviceInstanceDeployV2");
        if (id.empty()) {
            return fail(error_kind::bad_response, "Railway: ServiceInstanceDeploy: no deployment id in the answer");
        }
        spdlog::info("Railway: deploy of {} in {} started as {}", service_.service_id, environment_name, id);
        return id;
    }

    result<std::string> redeploy_deployment(const std::string& deployment_id) override {
        auto data = call("DeploymentRedeploy", railway_queries::deployment_redeploy, {{"id", deployment_id}});
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* created = data->if_contains("deploymentRedeploy");
        const std::string id =
            created != nullptr && created->is_object() ? json_string(created->get_object(), "id") : std::string();
        if (id.empty()) {
            return fail(error_kind::bad_response, "Railway: DeploymentRedeploy: no deployment id in the answer");
        }
        spdlog::info("Railway: redeploy of {} started as {}", deployment_id, id);
        return id;
    }

    result<void> upsert_variables(const std::string& environment_name,
                                  const std::map<std::string, std::string>& variables, bool skip_deploys) override {
        auto env = environment_id(environment_name);
        if (!env) {
            return std::unexpected(env.error());
        }
        json::object vars;
        std::vector<std::string_view> values;
        for (const auto& [name, value] : variables) {
            vars[name] = value;
            values.emplace_back(value);
        }
        // Writing the same values again leaves the same variables (an upsert), but without skipDeploys each call
        // also starts a deployment: only then is it not safe for the client to repeat.
        call_options options;
        options.secrets = values;
        options.idempotent_mutation = skip_deploys;
        auto data = call("VariableCollectionUpsert", railway_queries::variable_collection_upsert,
                         {{"projectId", service_.project_id},
                          {"serviceId", service_.service_id},
                          {"environmentId", *env},
                          {"variables", std::move(vars)},
                          {"skipDeploys", skip_deploys}},
                         options);
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* ok = data->if_contains("variableCollectionUpsert");
        if (!ok || !ok->is_bool() || !ok->get_bool()) {
            return fail(error_kind::bad_response, "Railway: VariableCollectionUpsert did not answer true");
        }
        // Names only: values are secrets.
        spdlog::info("Railway: {} variable(s) upserted in {} (skipDeploys={})", variables.size(), environment_name,
                     skip_deploys);
        return {};
    }

    result<std::map<std::string, std::string>> variables(const std::string& environment_name) override {
        auto env = environment_id(environment_name);
        if (!env) {
            return std::unexpected(env.error());
        }
        call_options options;
        options.secret_answer = true;
        auto data = call("Variables", railway_queries::variables,
                         {{"projectId", service_.project_id},
                          {"environmentId", *env},
                          {"serviceId", service_.service_id}},
                         options);
        if (!data) {
            return std::unexpected(data.error());
        }
        const auto* vars = data->if_contains("variables");
        if (!vars || !vars->is_object()) {
            return fail(error_kind::bad_response, "Railway: Variables: no `variables` object in the answer");
        }
        std::map<std::string, std::string> out;
        for (const auto& [name, value] : vars->get_object()) {
            // Values are strings; anything else is kept as its JSON text. Never logged.
            out.emplace(std::string(name),
                        value.is_string() ? std::string(value.get_string()) : json::serialize(value));
        }
        spdlog::debug("Railway: read {} variable name(s) in {}", out.size(), environment_name);
        return out;
    }

    result<std::vector<railway_log_line>> deployment_logs(const std::string& deployment_id, const std::string& filter,
                                                          int limit) override {
        if (limit <= 0 || limit > railway_log_limit_max) {
            return fail(error_kind::invalid_input,
                        "Railway: log lines to read must be 1.." + std::to_string(railway_log_limit_max));
        }
        auto data = call("DeploymentLogs", railway_queries::deployment_logs,
                         {{"deploymentId", deployment_id}, {"filter", filter}, {"limit", limit}});
        if (!data) {
            return std::unexpected(data.error());
        }
        return parse_log_lines(*data, static_cast<std::size_t>(limit));
    }

private:
    /// deploymentLogs: [Log!]! -> lines, oldest first (Railway's order is not documented: sorted to be sure; RFC
    /// 3339 UTC timestamps of one format sort as strings, and equal ones keep Railway's order). An answer with more
    /// lines than asked for keeps the newest `limit`: what reaches Slack stays as long as the user asked.
    static result<std::vector<railway_log_line>> parse_log_lines(const json::object& data, std::size_t limit) {
        const auto* logs = data.if_contains("deploymentLogs");
        if (logs == nullptr || !logs->is_array()) {
            return fail(error_kind::bad_response, "Railway: DeploymentLogs: no deploymentLogs array");
        }
        std::vector<railway_log_line> out;
        out.reserve(logs->get_array().size());
        for (const auto& log : logs->get_array()) {
            if (!log.is_object() || !log.get_object().contains("message")) {
                return fail(error_kind::bad_response, "Railway: DeploymentLogs: a log has no message");
            }
            const auto& o = log.get_object();
            out.push_back({json_string(o, "timestamp"), json_string(o, "severity"), json_string(o, "message")});
        }
        std::stable_sort(out.begin(), out.end(), [](const railway_log_line& a, const railway_log_line& b) {
            return a.timestamp < b.timestamp;
        });
        if (out.size() > limit) {
            out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
        }
        return out;
    }

    result<std::string> environment_id(const std::string& name) const {
        const auto it = service_.environments.find(name);
        if (it == service_.environments.end() || it->second.empty()) {
            return fail(error_kind::invalid_input, "Railway: no environment id for `" + name + "`: set services." +
                                                       service_.name + ".environments." + name + " in the config");
        }
        return it->second;
    }

    /// POSTs one GraphQL operation and returns its `data` object; `errors[]` in a 200 answer are errors (§2).
    result<json::object> call(std::string_view operation, const char* query, json::object variables,
                              const call_options& options = {}) {
        json::object payload{{"query", query}, {"variables", std::move(variables)}};
        auto request = json_request("POST", service_.api_url, payload);
        // A GraphQL query is a read sent as a POST: the client may repeat it. A mutation only when marked.
        request.idempotent = std::string_view(query).starts_with("query ") || options.idempotent_mutation;
        // Project tokens use their own header and no bearer (docs/platforms.md §2).
        if (contains_ci(service_.token_header, "project-access-token")) {
            request.headers.push_back({"Project-Access-Token", token_});
        } else {
            request.headers.push_back({"Authorization", "Bearer " + token_});
        }
        auto response = http_.send(request);
        if (!response) {
            auto e = response.error();
            e.message = "Railway: " + std::string(operation) + ": " + e.message;
            return std::unexpected(e);
        }
        const body_wiper wipe_body(options.secret_answer ? &response->body : nullptr);
        if (response->status == 401 || response->status == 403) {
            return fail(error_kind::auth, "Railway: " + std::string(operation) + ": HTTP " +
                                              std::to_string(response->status) + " (token refused)",
                        response->status);
        }
        if (response->status != 200) {
            spdlog::warn("Railway: {} answered HTTP {}", operation, response->status);
            return fail(error_kind::http_status,
                        "Railway: " + std::string(operation) + ": HTTP " + std::to_string(response->status),
                        response->status);
        }
        auto parsed = options.secret_answer ? parse_secret_answer(response->body, operation)
                                            : parse_json(response->body, "Railway " + std::string(operation));
        if (!parsed) {
            spdlog::warn("Railway: malformed JSON from {}", operation);
            return std::unexpected(parsed.error());
        }
        if (!parsed->is_object()) {
            return fail(error_kind::bad_response, "Railway: " + std::string(operation) + ": answer is not an object");
        }
        const auto& body = parsed->get_object();
        const auto* errors = body.if_contains("errors");
        if (errors && errors->is_array() && !errors->get_array().empty()) {
            return std::unexpected(graphql_error(operation, errors->get_array(), options.secrets));
        }
        auto* data = parsed->get_object().if_contains("data");
        if (!data || !data->is_object()) {
            return fail(error_kind::bad_response, "Railway: " + std::string(operation) + ": no `data` in the answer");
        }
        // Moved, not copied: a secret answer stays in its wiping storage.
        return std::move(data->get_object());
    }

    /// Parses an answer holding secret values into storage that is overwritten when released (issue 12 item 11).
    static result<json::value> parse_secret_answer(std::string_view body, std::string_view operation) {
        if (body.empty()) {
            return fail(error_kind::bad_response, "Railway " + std::string(operation) + ": empty response body");
        }
        boost::system::error_code ec;
        auto value = parse_json_wiping(body, ec);
        if (ec) {
            // The body is not quoted: it holds the values.
            return fail(error_kind::bad_response, "Railway " + std::string(operation) + ": malformed JSON (" +
                                                      ec.message() + ", " + std::to_string(body.size()) + " bytes)");
        }
        return value;
    }

    static error graphql_error(std::string_view operation, const json::array& errors,
                               std::span<const std::string_view> secrets) {
        const auto& first = errors.front();
        std::string message = first.is_object() ? json_string(first.get_object(), "message") : std::string();
        if (message.empty()) {
            message = "unknown GraphQL error";
        }
        error e;
        // The CLI's mapping of error messages (docs/platforms.md §2, [R3]).
        if (contains_ci(message, "not authorized") || contains_ci(message, "project token not found") ||
            contains_ci(message, "two factor")) {
            e.kind = error_kind::auth;
        } else if (contains_ci(message, "not found")) {
            e.kind = error_kind::not_found;
        } else {
            e.kind = error_kind::http_status;
        }
        e.http_status = 200;
        // Railway's message may quote what it was sent (a variable's value): scrub before it is logged.
        e.message = "Railway: " + std::string(operation) + ": " + provider_http::scrub(message, secrets);
        spdlog::warn("{}", e.message);
        return e;
    }

    service_config service_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<railway_platform> make_railway_platform(const service_config& service, std::string token,
                                                        http_client& http) {
    return std::make_unique<railway_impl>(service, std::move(token), http);
}

}  // namespace opsbot::adapters
