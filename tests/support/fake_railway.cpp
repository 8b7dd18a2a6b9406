// Fake Railway GraphQL API: the shapes of docs/platforms.md §7, the behaviour of §2.
#include "tests/support/fake_railway.hpp"

#include "fakes/railway_lifecycle.hpp"
#include "fakes/railway_logs.hpp"
#include "tests/support/api_specs.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

json::object graphql_error(std::string message) {
    return json::object{{"data", nullptr}, {"errors", json::array{json::object{{"message", std::move(message)}}}}};
}

json::object data(json::object d) { return json::object{{"data", std::move(d)}}; }

// A document the server refuses before running it: no `data`, only `errors`, and HTTP 200, as the GraphQL over
// HTTP specification (§ "application/json") says a server answering `Accept: application/json` does.
sim::response request_error(std::string message, std::string code) {
    return sim::response::json(
        200, json::object{{"errors", json::array{json::object{
                                         {"message", std::move(message)},
                                         {"extensions", json::object{{"code", std::move(code)}}}}}}});
}

std::string var(const json::object& vars, std::string_view key) {
    const auto* v = vars.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object node(const fake_railway_deployment& d) {
    return json::object{{"id", d.id},
                        {"createdAt", d.created_at},
                        {"status", d.status},
                        {"canRollback", d.can_rollback},
                        {"canRedeploy", d.can_redeploy},
                        {"meta", json::object{{"commitHash", d.commit_hash},
                                              {"commitMessage", d.commit_message},
                                              {"branch", d.branch}}}};
}

}  // namespace

fake_railway::fake_railway() : fake_railway(options{}) {}

fake_railway::fake_railway(options o) : options_(std::move(o)) {
    server_ = std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); });
}

fake_railway::~fake_railway() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_railway::api_url() const { return server_->base_url() + "/graphql/v2"; }

fake_railway_deployment seeded_railway_deployment(std::string id, std::string created_at, std::string status,
                                                  bool can_rollback, std::string commit_hash) {
    fake_railway_deployment d;
    d.id = std::move(id);
    d.created_at = std::move(created_at);
    d.status = std::move(status);
    d.can_rollback = can_rollback;
    d.commit_hash = std::move(commit_hash);
    return d;
}

service_config fake_railway::service(std::string name) const {
    service_config s;
    s.name = std::move(name);
    s.platform = opsbot::platform_kind::railway;
    s.api_url = api_url();
    s.project_id = options_.project_id;
    s.service_id = options_.service_id;
    s.environments = options_.environments;
    s.token_header = options_.project_token ? "Project-Access-Token" : "Bearer";
    return s;
}

void fake_railway::add_deployment(fake_railway_deployment d) {
    if (d.environment_id.empty()) {
        d.environment_id = options_.environments.at("production");
    }
    std::lock_guard lock(mutex_);
    if (d.variables.empty()) {
        d.variables = variables_[d.environment_id];
    }
    deployments_.push_back(std::move(d));
}

std::vector<fake_railway_deployment> fake_railway::deployments() const {
    std::lock_guard lock(mutex_);
    return deployments_;
}

std::optional<fake_railway_deployment> fake_railway::deployment(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const auto& d : deployments_) {
        if (d.id == id) {
            return d;
        }
    }
    return std::nullopt;
}

void fake_railway::fail_next_deploy() {
    std::lock_guard lock(mutex_);
    fail_next_deploy_ = true;
}

void fake_railway::hold_next_deploy_for_approval() {
    std::lock_guard lock(mutex_);
    hold_next_deploy_ = true;
}

void fake_railway::rollback_false_next() {
    std::lock_guard lock(mutex_);
    rollback_false_next_ = true;
}

std::map<std::string, std::map<std::string, std::string>> fake_railway::variables() const {
    std::lock_guard lock(mutex_);
    return variables_;
}

void fake_railway::set_variable(const std::string& name, const std::string& value, std::string environment_id) {
    if (environment_id.empty()) {
        environment_id = options_.environments.at("production");
    }
    std::lock_guard lock(mutex_);
    variables_[environment_id][name] = value;
    for (auto& d : deployments_) {
        if (d.environment_id == environment_id) {
            d.variables[name] = value;
        }
    }
}

std::map<std::string, std::string> fake_railway::served_variables(std::string environment_id) const {
    if (environment_id.empty()) {
        environment_id = options_.environments.at("production");
    }
    std::lock_guard lock(mutex_);
    const fake_railway_deployment* live = nullptr;
    for (const auto& d : deployments_) {
        if (d.environment_id == environment_id && d.status == "SUCCESS" &&
            (live == nullptr || d.created_at > live->created_at)) {
            live = &d;
        }
    }
    return live == nullptr ? std::map<std::string, std::string>{} : live->variables;
}

std::vector<fake_railway_variable_write> fake_railway::variable_writes() const {
    std::lock_guard lock(mutex_);
    return variable_writes_;
}

std::vector<std::string> fake_railway::written_values(const std::string& name) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& w : variable_writes_) {
        if (const auto it = w.variables.find(name); it != w.variables.end()) {
            out.push_back(it->second);
        }
    }
    return out;
}

std::vector<bool> fake_railway::skip_deploys_seen() const {
    std::lock_guard lock(mutex_);
    std::vector<bool> out;
    for (const auto& w : variable_writes_) {
        out.push_back(w.skip_deploys);
    }
    return out;
}

void fake_railway::fail_variable_upserts(std::string message, int count) {
    std::lock_guard lock(mutex_);
    upsert_failure_message_ = std::move(message);
    upsert_failures_left_ = count;
}

std::vector<std::string> fake_railway::refused_values() const {
    std::lock_guard lock(mutex_);
    return refused_values_;
}

std::vector<sim::request> fake_railway::requests() const { return server_->requests(); }

size_t fake_railway::count_operation(std::string_view operation) const {
    const auto all = server_->requests();
    return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const sim::request& r) {
        return r.body.find(operation) != std::string::npos;
    }));
}

sim::response fake_railway::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (r.method != "POST" || r.path != "/graphql/v2") {
        return sim::response::text(404, "Not Found");
    }
    // Account tokens use a bearer, project tokens their own header and no bearer (docs/platforms.md §2).
    const bool authorized = options_.project_token
                                ? (r.header("Project-Access-Token").value_or("") == options_.token &&
                                   !r.header("Authorization"))
                                : r.header("Authorization").value_or("") == "Bearer " + options_.token;
    if (!authorized) {
        return sim::response::json(200, graphql_error("Not Authorized"));
    }
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    const auto* query = !ec && body.is_object() ? body.get_object().if_contains("query") : nullptr;
    if (!query || !query->is_string()) {
        return sim::response::json(400, graphql_error("Must provide query string."));
    }
    const auto* vars = body.get_object().if_contains("variables");
    const json::object empty;
    const auto& variables = vars && vars->is_object() ? vars->get_object() : empty;
    // Railway runs only documents its schema validates (tests/api_specs/railway-schema.json): parse, validate,
    // pick the operation, coerce the variables, as a GraphQL server does before it executes anything.
    const auto doc = graphql::parse(query->get_string());
    if (!doc) {
        return request_error(doc.error(), "GRAPHQL_PARSE_FAILED");
    }
    if (const auto errors = railway_schema().validate(*doc); !errors.empty()) {
        return request_error(errors.front(), "GRAPHQL_VALIDATION_FAILED");
    }
    const auto* name = body.get_object().if_contains("operationName");
    const auto* op = doc->find_operation(name && name->is_string() ? std::string_view(name->get_string()) : "");
    if (!op) {
        return request_error(name && name->is_string() ? "Unknown operation named \"" +
                                                             std::string(name->get_string()) + "\"."
                                                       : "Must provide operation name if query contains multiple "
                                                         "operations.",
                             "BAD_USER_INPUT");
    }
    if (const auto errors = railway_schema().check_variables(*op, variables); !errors.empty()) {
        return request_error(errors.front(), "BAD_USER_INPUT");
    }
    return sim::response::json(200, dispatch(*doc, *op, variables));
}

json::value fake_railway::dispatch(const graphql::document& doc, const graphql::operation& op,
                                   const json::object& vars) {
    // Each root field of the operation runs its resolver, with its arguments as the document binds them; the
    // answer holds what the document selected, keyed by alias, and nothing else (GraphQL spec §6.3).
    std::lock_guard lock(mutex_);
    json::object out;
    for (const auto& field : op.selections) {
        if (field.k != graphql::selection::kind::field) {
            return graphql_error("fake_railway: fragments on a root type are not served");
        }
        if (field.name == "__typename") {
            out[field.response_name()] = op.type == "mutation" ? "Mutation" : "Query";
            continue;
        }
        const auto args = graphql::resolve_arguments(field, vars);
        const auto answer = resolve_root(op.type, field.name, args);
        const auto* value = answer.as_object().if_contains("data");
        if (!value || !value->is_object()) {
            return answer;  // a resolver's error: {"data":null,"errors":[...]}
        }
        const auto& produced = value->get_object().at(field.name);
        out[field.response_name()] =
            field.selections.empty() ? produced : graphql::select(produced, field.selections, doc);
    }
    return data(std::move(out));
}

json::value fake_railway::resolve_root(const std::string& operation_type, const std::string& field,
                                       const json::object& args) {
    if (operation_type == "mutation") {
        if (field == "deploymentRollback") {
            return rollback(args);
        }
        if (field == "deploymentRedeploy") {
            return redeploy(args);
        }
        if (field == "serviceInstanceDeployV2") {
            return deploy(args);
        }
        if (field == "variableCollectionUpsert") {
            return upsert(args.at("input").as_object());
        }
    } else if (operation_type == "query") {
        if (field == "deployments") {
            return list(args);
        }
        if (field == "serviceInstance") {
            return latest(args);
        }
        if (field == "deployment") {
            return status(args);
        }
        if (field == "variables") {
            return read_variables(args);
        }
        if (field == "deploymentLogs") {
            return logs(args);
        }
    }
    // In the schema, but not served by this fake: say so rather than answer something Railway would not.
    return graphql_error("fake_railway does not serve " + operation_type + " field \"" + field + "\"");
}

void fake_railway::add_log(const std::string& deployment_id, std::string timestamp, std::string severity,
                           std::string message) {
    std::lock_guard lock(mutex_);
    logs_[deployment_id].push_back({std::move(timestamp), std::move(severity), std::move(message)});
}

// deploymentLogs(deploymentId: String!, filter: String, limit: Int): [Log!]! (railway-schema.json): limit defaults
// to 100, at most 5000; an unknown deployment is a GraphQL error.
json::value fake_railway::logs(const json::object& vars) {
    const std::string id = var(vars, "deploymentId");
    if (id.empty()) {
        return graphql_error("Variable \"$deploymentId\" of required type \"String!\" was not provided.");
    }
    if (std::none_of(deployments_.begin(), deployments_.end(), [&](const auto& d) { return d.id == id; })) {
        return graphql_error("Deployment not found");
    }
    std::int64_t limit = 100;
    if (const auto* l = vars.if_contains("limit"); l != nullptr && l->is_int64()) {
        limit = l->get_int64();
    }
    if (limit < 1 || limit > 5000) {
        return graphql_error("Limit must be between 1 and 5000");
    }
    std::vector<adapters::railway_log_line> lines;
    if (const auto it = logs_.find(id); it != logs_.end()) {
        for (const auto& [timestamp, severity, message] : it->second) {
            lines.push_back({timestamp, severity, message});
        }
    }
    json::array out;
    for (const auto& line : fakes::railway_logs_answer(lines, var(vars, "filter"), static_cast<int>(limit))) {
        json::object log{{"timestamp", line.timestamp}, {"message", line.message}, {"attributes", json::array{}}};
        log["severity"] = line.severity.empty() ? json::value(nullptr) : json::value(line.severity);
        out.push_back(std::move(log));
    }
    return data(json::object{{"deploymentLogs", std::move(out)}});
}

bool fake_railway::known_environment(const std::string& id) const {
    return std::any_of(options_.environments.begin(), options_.environments.end(),
                       [&](const auto& e) { return e.second == id; });
}

json::value fake_railway::list(const json::object& vars) {
    const auto* input = vars.if_contains("input");
    if (!input || !input->is_object()) {
        return graphql_error("Variable \"$input\" of required type \"DeploymentListInput!\" was not provided.");
    }
    const auto& in = input->get_object();
    if (var(in, "projectId") != options_.project_id || var(in, "serviceId") != options_.service_id) {
        return graphql_error("Not Authorized");
    }
    if (!known_environment(var(in, "environmentId"))) {
        return graphql_error("Environment not found");
    }
    auto sorted = deployments_;
    std::erase_if(sorted, [&](const auto& d) { return d.environment_id != var(in, "environmentId"); });
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    size_t first = sorted.size();
    if (const auto* f = vars.if_contains("first"); f && f->is_int64()) {
        first = std::min(first, static_cast<size_t>(std::max<std::int64_t>(0, f->get_int64())));
    }
    json::array edges;
    for (size_t i = 0; i < first; ++i) {
        edges.push_back(json::object{{"cursor", "c" + std::to_string(i)}, {"node", node(sorted[i])}});
    }
    return data(json::object{{"deployments", json::object{{"edges", std::move(edges)}}}});
}

void fake_railway::settle_deployments_at(int polls) {
    std::lock_guard lock(mutex_);
    options_.deploy_polls = polls;
}

void fake_railway::advance(fake_railway_deployment& d) {
    if (d.status != "BUILDING" && d.status != "DEPLOYING") {
        return;
    }
    d.status = fakes::railway_status_at_poll(++d.polls, options_.deploy_polls, d.will_fail);
    if (d.status == "BUILDING" || d.status == "DEPLOYING") {
        return;
    }
    d.can_redeploy = true;
    if (d.status == "FAILED") {
        return;
    }
    // The replaced live deployment is REMOVED but stays a rollback target (docs/platforms.md §2.2).
    for (auto& other : deployments_) {
        if (other.id != d.id && other.environment_id == d.environment_id && other.status == "SUCCESS") {
            other.status = "REMOVED";
            other.can_rollback = true;
        }
    }
}

json::value fake_railway::latest(const json::object& vars) {
    if (var(vars, "serviceId") != options_.service_id || !known_environment(var(vars, "environmentId"))) {
        return graphql_error("ServiceInstance not found");
    }
    fake_railway_deployment* newest = nullptr;
    for (auto& d : deployments_) {
        if (d.environment_id == var(vars, "environmentId") && (!newest || d.created_at > newest->created_at)) {
            newest = &d;
        }
    }
    if (!newest) {
        return data(json::object{{"serviceInstance", json::object{{"latestDeployment", nullptr}}}});
    }
    advance(*newest);
    return data(json::object{{"serviceInstance", json::object{{"latestDeployment", node(*newest)}}}});
}

json::value fake_railway::status(const json::object& vars) {
    for (auto& d : deployments_) {
        if (d.id == var(vars, "id")) {
            advance(d);
            return data(json::object{{"deployment", node(d)}});
        }
    }
    return graphql_error("Deployment not found");
}

fake_railway_deployment& fake_railway::create_from(const fake_railway_deployment& source,
                                                  std::map<std::string, std::string> variables) {
    fake_railway_deployment d = source;
    d.variables = std::move(variables);
    const int n = next_id_++;
    d.id = fmt::format("9c1e{:04x}-5b3f-4a2d-8e6f-{:012x}", n, 0x1a2b3c000000ULL + static_cast<unsigned>(n));
    // Fake-made deployments are dated 2026-11-28, after any fixture date.
    d.created_at = fmt::format("2026-11-28T{:02d}:{:02d}:00.000Z", n / 60, n % 60);
    d.status = hold_next_deploy_ ? "NEEDS_APPROVAL" : "BUILDING";
    hold_next_deploy_ = false;
    d.can_rollback = false;
    d.can_redeploy = false;
    d.polls = 0;
    d.will_fail = fail_next_deploy_;
    fail_next_deploy_ = false;
    deployments_.push_back(d);
    return deployments_.back();
}

json::value fake_railway::rollback(const json::object& vars) {
    const auto id = var(vars, "id");
    auto it = std::find_if(deployments_.begin(), deployments_.end(), [&](const auto& d) { return d.id == id; });
    if (it == deployments_.end()) {
        return graphql_error("Deployment not found");
    }
    if (!it->can_rollback) {
        return graphql_error("Deployment cannot be rolled back");
    }
    if (rollback_false_next_) {
        rollback_false_next_ = false;
        return data(json::object{{"deploymentRollback", false}});
    }
    const auto source = *it;  // copy: create_from may reallocate
    // A rollback restores the image AND the variables the target was made with (Railway docs, deployment actions).
    variables_[source.environment_id] = source.variables;
    create_from(source, source.variables);
    return data(json::object{{"deploymentRollback", true}});
}

json::value fake_railway::redeploy(const json::object& vars) {
    // deploymentRedeploy(id: String!, usePreviousImageTag: Boolean): Deployment! — the build of `id` with the
    // service's current variables.
    const auto id = var(vars, "id");
    auto it = std::find_if(deployments_.begin(), deployments_.end(), [&](const auto& d) { return d.id == id; });
    if (it == deployments_.end()) {
        return graphql_error("Deployment not found");
    }
    if (!it->can_redeploy) {
        return graphql_error("Deployment cannot be redeployed");
    }
    const auto source = *it;  // copy: create_from may reallocate
    const auto& created = create_from(source, variables_[source.environment_id]);
    return data(json::object{{"deploymentRedeploy", json::object{{"id", created.id}}}});
}

json::value fake_railway::deploy(const json::object& vars) {
    if (var(vars, "serviceId") != options_.service_id || !known_environment(var(vars, "environmentId"))) {
        return graphql_error("ServiceInstance not found");
    }
    fake_railway_deployment source;
    source.environment_id = var(vars, "environmentId");
    for (const auto& d : deployments_) {
        if (d.environment_id == source.environment_id && d.created_at > source.created_at) {
            source = d;
        }
    }
    const auto& created = create_from(source, variables_[source.environment_id]);
    return data(json::object{{"serviceInstanceDeployV2", created.id}});
}

json::value fake_railway::upsert(const json::object& vars) {
    if (var(vars, "projectId") != options_.project_id || var(vars, "serviceId") != options_.service_id) {
        return graphql_error("Not Authorized");
    }
    const auto env = var(vars, "environmentId");
    if (!known_environment(env)) {
        return graphql_error("Environment not found");
    }
    const auto* variables = vars.if_contains("variables");
    if (!variables || !variables->is_object()) {
        return graphql_error("Variable \"$variables\" of required type \"EnvironmentVariables!\" was not provided.");
    }
    if (upsert_failures_left_ > 0) {
        --upsert_failures_left_;
        std::string message = upsert_failure_message_;
        const auto& sent = variables->get_object();
        if (!sent.empty() && sent.begin()->value().is_string()) {
            const std::string value(sent.begin()->value().get_string());
            refused_values_.push_back(value);
            for (auto pos = message.find("{value}"); pos != std::string::npos; pos = message.find("{value}", pos)) {
                message.replace(pos, 7, value);
                pos += value.size();
            }
        }
        return graphql_error(std::move(message));
    }
    const auto* skip = vars.if_contains("skipDeploys");
    const bool skip_deploys = skip && skip->is_bool() && skip->get_bool();
    fake_railway_variable_write write{next_fake_sequence(), env, {}, skip_deploys};
    for (const auto& [name, value] : variables->get_object()) {
        const auto text = value.is_string() ? std::string(value.get_string()) : json::serialize(value);
        variables_[env][std::string(name)] = text;
        write.variables[std::string(name)] = text;
    }
    variable_writes_.push_back(std::move(write));
    // An upsert redeploys unless skipDeploys is true (docs/platforms.md §0).
    if (!skip_deploys) {
        deploy(json::object{{"serviceId", options_.service_id}, {"environmentId", env}});
    }
    return data(json::object{{"variableCollectionUpsert", true}});
}

json::value fake_railway::read_variables(const json::object& vars) {
    // variables(projectId!, environmentId!, serviceId): EnvironmentVariables!, a JSON map (docs/platforms.md §2.2).
    if (var(vars, "projectId") != options_.project_id) {
        return graphql_error("Not Authorized");
    }
    const auto env = var(vars, "environmentId");
    if (!known_environment(env)) {
        return graphql_error("Environment not found");
    }
    if (const auto service = var(vars, "serviceId"); !service.empty() && service != options_.service_id) {
        return graphql_error("Service not found");
    }
    json::object map;
    if (const auto it = variables_.find(env); it != variables_.end()) {
        for (const auto& [name, value] : it->second) {
            map[name] = value;
        }
    }
    return data(json::object{{"variables", std::move(map)}});
}

std::string api_service_jsonc(const fake_railway& railway, const std::string& health_url) {
    const auto& s = railway.settings();
    return fmt::format(R"("api": {{
      "platform": "railway", "api_url": "{}", "token_env": "RAILWAY_TOKEN", "token_header": "Bearer",
      "project_id": "{}", "service_id": "{}",
      "environments": {{ "production": "{}", "staging": "{}" }},{}
    }})",
                       railway.api_url(), s.project_id, s.service_id, s.environments.at("production"),
                       s.environments.at("staging"),
                       health_url.empty() ? "" : fmt::format(R"(
      "health_url": {{ "production": "{}" }},)", health_url));
}

}  // namespace opsbot::testing
