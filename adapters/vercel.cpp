// The Vercel REST adapter (docs/platforms.md §1).
#include "core/json_fields.hpp"
#include "adapters/vercel.hpp"

#include "adapters/provider_http.hpp"
#include "adapters/vercel_env.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

using query_params = std::vector<std::pair<std::string, std::string>>;



std::int64_t int_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) {
        return v->get_int64();
    }
    if (v && v->is_uint64()) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    // A double beyond int64 (1.79e21, NaN cannot come from JSON) is no time: converting it is undefined behaviour
    // (found by fuzz/platform_adapters). ±2^63 bounds the doubles that convert.
    if (v && v->is_double() && v->get_double() > -0x1p63 && v->get_double() < 0x1p63) {
        return static_cast<std::int64_t>(v->get_double());
    }
    return 0;
}

// Lists use uid/state/created, the single read id/readyState/createdAt (docs/platforms.md §1.1, §1.2).
vercel_deployment parse_deployment(const json::object& o) {
    vercel_deployment d;
    d.id = o.contains("uid") ? json_string(o, "uid") : json_string(o, "id");
    d.name = json_string(o, "name");
    d.url = json_string(o, "url");
    d.state = o.contains("readyState") ? json_string(o, "readyState") : json_string(o, "state");
    d.ready_substate = json_string(o, "readySubstate");
    d.created_ms = o.contains("created") ? int_field(o, "created") : int_field(o, "createdAt");
    d.target = json_string(o, "target");
    if (const auto* meta = o.if_contains("meta"); meta && meta->is_object()) {
        d.commit_sha = json_string(meta->get_object(), "githubCommitSha");
        d.commit_ref = json_string(meta->get_object(), "githubCommitRef");
    }
    if (const auto* c = o.if_contains("isRollbackCandidate"); c && c->is_bool()) {
        d.is_rollback_candidate = c->get_bool();
    }
    return d;
}

std::string scrub_value(const std::string& text, const std::string& value) {
    return provider_http::scrub(text, {value});
}

error_kind kind_for_status(int status) {
    switch (status) {
        case 401:
        case 403: return error_kind::auth;
        case 404: return error_kind::not_found;
        case 409: return error_kind::conflict;
        case 429: return error_kind::rate_limited;
        default: return error_kind::http_status;
    }
}

class vercel_impl final : public vercel_platform {
public:
    vercel_impl(service_config service, std::string token, http_client& http)
        : service_(std::move(service)), token_(std::move(token)), http_(http) {}

    result<std::vector<vercel_deployment>> list_production_deployments(int limit) override {
        if (limit <= 0) {
            return fail(error_kind::invalid_input, "Vercel: deployment list limit must be positive");
        }
        std::vector<vercel_deployment> out;
        std::optional<std::int64_t> until;
        // Page with until=<pagination.next> (ms) until enough are collected or next is null (§1.1).
        for (int page = 0; page < 50 && std::ssize(out) < limit; ++page) {
            query_params q{{"projectId", service_.project_id},
                           {"target", "production"},
                           {"limit", std::to_string(std::min(100, limit - static_cast<int>(out.size())))}};
            if (until) {
                q.emplace_back("until", std::to_string(*until));
            }
            // GET /v7/deployments: the current list endpoint of the API description (docs/platforms.md §1.1).
            auto body = call("GET", "/v7/deployments", q, nullptr, "GET /v7/deployments");
            if (!body) {
                return std::unexpected(body.error());
            }
            const auto* obj = body->if_object();
            const auto* list = obj ? obj->if_contains("deployments") : nullptr;
            if (!list || !list->is_array()) {
                return fail(error_kind::bad_response, "Vercel: GET /v7/deployments: no `deployments` array");
            }
            for (const auto& item : list->get_array()) {
                if (!item.is_object()) {
                    return fail(error_kind::bad_response, "Vercel: GET /v7/deployments: a deployment is not an object");
                }
                out.push_back(parse_deployment(item.get_object()));
            }
            const auto* pagination = obj->if_contains("pagination");
            const auto* next = pagination && pagination->is_object() ? pagination->get_object().if_contains("next")
                                                                      : nullptr;
            if (!next || !next->is_number() || list->get_array().empty()) {
                break;
            }
            const auto next_ms = int_field(pagination->get_object(), "next");
            if (until && next_ms >= *until) {
                spdlog::warn("Vercel: pagination.next did not move backwards ({}), stopping", next_ms);
                break;
            }
            until = next_ms;
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const vercel_deployment& a, const vercel_deployment& b) {
                             return a.created_ms > b.created_ms;
                         });
        if (std::ssize(out) > limit) {
            out.resize(static_cast<size_t>(limit));
        }
        return out;
    }

    result<vercel_deployment> get_deployment(const std::string& id) override {
        if (!is_valid_vercel_id(id)) {
            return fail(error_kind::invalid_input, "Vercel: `" + id + "` is not a deployment id");
        }
        auto body = call("GET", "/v13/deployments/" + id, {}, nullptr, "GET /v13/deployments/{id}");
        if (!body) {
            return std::unexpected(body.error());
        }
        if (!body->is_object()) {
            return fail(error_kind::bad_response, "Vercel: GET /v13/deployments/{id}: not a JSON object");
        }
        auto d = parse_deployment(body->get_object());
        if (d.id.empty()) {
            return fail(error_kind::bad_response, "Vercel: GET /v13/deployments/{id}: no deployment id");
        }
        return d;
    }

    result<vercel_deployment> current_production() override {
        auto list = list_production_deployments(20);
        if (!list) {
            return std::unexpected(list.error());
        }
        return pick_vercel_current_production(*list);
    }

    result<void> request_rollback(const std::string& deployment_id) override {
        // The documented rollback (vercel.json, SDK projectsRequestRollback); the CLI's /v9 path is not described.
        return alias_request("rollback", "/v1/projects/" + project_path() + "/rollback/", deployment_id,
                             "POST /v1/projects/{id}/rollback/{deployment}");
    }

    result<void> request_promote(const std::string& deployment_id) override {
        return alias_request("promote", "/v10/projects/" + project_path() + "/promote/", deployment_id,
                             "POST /v10/projects/{id}/promote/{deployment}");
    }

    result<vercel_alias_job> alias_job_status() override {
        auto body = call("GET", "/v9/projects/" + project_path(), {{"rollbackInfo", "true"}}, nullptr,
                         "GET /v9/projects/{id}?rollbackInfo=true");
        if (!body) {
            return std::unexpected(body.error());
        }
        if (!body->is_object()) {
            return fail(error_kind::bad_response, "Vercel: GET /v9/projects/{id}: not a JSON object");
        }
        vercel_alias_job job;
        const auto* last = body->get_object().if_contains("lastAliasRequest");
        if (!last || !last->is_object()) {
            return job;  // no alias job ever ran (the field is null or absent)
        }
        const auto& o = last->get_object();
        job.present = true;
        job.from_deployment_id = json_string(o, "fromDeploymentId");
        job.to_deployment_id = json_string(o, "toDeploymentId");
        job.job_status = json_string(o, "jobStatus");
        job.requested_at_ms = int_field(o, "requestedAt");
        job.type = json_string(o, "type");
        return job;
    }

    result<std::string> redeploy(const std::string& from_deployment_id, const std::string& name,
                                 const std::string& target, bool latest_commit) override {
        if (!is_valid_vercel_id(from_deployment_id)) {
            return fail(error_kind::invalid_input, "Vercel: `" + from_deployment_id + "` is not a deployment id");
        }
        // Same body as `vercel redeploy` (the old deployment's sha); withLatestCommit only when asked, since it
        // makes the build take the branch's newest commit instead (docs/platforms.md §1.4).
        json::object payload{{"deploymentId", from_deployment_id},
                             {"name", name},
                             {"target", target},
                             {"meta", json::object{{"action", "redeploy"}}}};
        if (latest_commit) {
            payload["withLatestCommit"] = true;
        }
        auto body = call("POST", "/v13/deployments", {{"forceNew", "1"}}, &payload, "POST /v13/deployments");
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        const std::string id = obj ? json_string(*obj, "id") : std::string();
        if (id.empty()) {
            return fail(error_kind::bad_response, "Vercel: POST /v13/deployments: no `id` in the answer");
        }
        spdlog::info("Vercel: redeploy of {} ({}) started as {}", from_deployment_id,
                     latest_commit ? "latest commit of its branch" : "same commit", id);
        return id;
    }

    result<void> upsert_env(const std::string& key, const std::string& value, const std::string& type,
                            const std::vector<std::string>& targets) override {
        json::array target_array;
        for (const auto& t : targets) {
            target_array.emplace_back(t);
        }
        json::object payload{{"key", key}, {"value", value}, {"type", type}, {"target", std::move(target_array)}};
        // With upsert=true the same write twice leaves the same variable: the client may repeat it.
        auto body = call("POST", "/v10/projects/" + project_path() + "/env", {{"upsert", "true"}}, &payload,
                         "POST /v10/projects/{id}/env", value, true);
        if (!body) {
            auto e = body.error();
            e.message = scrub_value(std::move(e.message), value);
            return std::unexpected(std::move(e));
        }
        // A 201 may still list per-variable failures (docs/platforms.md §1.5).
        const auto* obj = body->if_object();
        const auto* failed = obj ? obj->if_contains("failed") : nullptr;
        if (failed && failed->is_array() && !failed->get_array().empty()) {
            std::string message = "Vercel: env " + key + " was not saved";
            const auto& first = failed->get_array().front();
            if (const auto* e = first.is_object() ? first.get_object().if_contains("error") : nullptr;
                e && e->is_object()) {
                // The API may echo what it was sent: the value never reaches the message.
                message += ": " + scrub_value(json_string(e->get_object(), "code") + ": " +
                                                  json_string(e->get_object(), "message"),
                                              value);
            }
            return fail(error_kind::conflict, message);
        }
        spdlog::info("Vercel: env {} ({}) saved for {} target(s)", key, type, targets.size());
        return {};
    }

    result<std::vector<vercel_env_var>> list_env(const std::string& target) override {
        // No decrypt=true: only names are wanted, and values are dropped while parsing (§1.5). The description
        // of this endpoint has no cursor parameter (no `until`): one request, and an answer that says more pages
        // follow is refused rather than read as the whole list. Nor has it a `target` filter
        // (tests/api_specs/vercel.json): every variable comes back and the target is picked here.
        auto body = call("GET", "/v10/projects/" + project_path() + "/env", {}, nullptr, "GET /v10/projects/{id}/env");
        if (!body) {
            return std::unexpected(body.error());
        }
        std::vector<vercel_env_var> out;
        auto next = parse_vercel_env_page(*body, out);
        if (!next) {
            return std::unexpected(next.error());
        }
        if (*next) {
            return fail(error_kind::unavailable,
                        "Vercel: GET /v10/projects/{id}/env answered " + std::to_string(out.size()) +
                            " variables with more to come (pagination.next), and its API description has no "
                            "parameter to ask for the next page: check the variables in Vercel's dashboard");
        }
        std::erase_if(out, [&](const vercel_env_var& v) {
            return std::find(v.targets.begin(), v.targets.end(), target) == v.targets.end();
        });
        return out;
    }

private:
    std::string project_path() const { return percent_encode(service_.project_id); }

    result<void> alias_request(std::string_view what, const std::string& prefix, const std::string& deployment_id,
                               std::string_view endpoint) {
        if (!is_valid_vercel_id(deployment_id)) {
            return fail(error_kind::invalid_input, "Vercel: `" + deployment_id + "` is not a deployment id");
        }
        // The body `{}` is required; the answer is 201/202 with no body (docs/platforms.md §1.3).
        json::object empty;
        auto body = call("POST", prefix + deployment_id, {}, &empty, endpoint);
        if (!body) {
            return std::unexpected(body.error());
        }
        spdlog::info("Vercel: {} to {} requested for project {}", what, deployment_id, service_.project_id);
        return {};
    }

    /// One call: adds teamId and the bearer token, maps error statuses, parses the JSON body (null when empty).
    /// `secret` (a value sent in `payload`) is scrubbed from error text before it is logged or returned.
    /// `idempotent_write`: a write Vercel documents as safe to repeat, which the client may then retry.
    result<json::value> call(std::string method, const std::string& path, query_params query,
                             const json::object* payload, std::string_view endpoint, std::string_view secret = {},
                             bool idempotent_write = false) {
        // Team-owned resources need teamId on every call (docs/platforms.md §1).
        if (!service_.team_id.empty()) {
            query.emplace_back("teamId", service_.team_id);
        }
        std::string url = join_url(service_.api_url, path);
        for (size_t i = 0; i < query.size(); ++i) {
            url += (i == 0 ? '?' : '&');
            url += percent_encode(query[i].first) + "=" + percent_encode(query[i].second);
        }
        http_request request;
        if (payload) {
            request = json_request(std::move(method), url, *payload);
        } else {
            request.method = std::move(method);
            request.url = url;
            request.headers.push_back({"Accept", "application/json"});
        }
        request.headers.push_back({"Authorization", "Bearer " + token_});
        if (idempotent_write) {
            request.idempotent = true;
        }
        auto response = http_.send(request);
        if (!response) {
            auto e = response.error();
            e.message = "Vercel: " + std::string(endpoint) + ": " + e.message;
            return std::unexpected(e);
        }
        if (response->status < 200 || response->status >= 300) {
            return std::unexpected(status_error(*response, endpoint, secret));
        }
        if (response->body.find_first_not_of(" \t\r\n") == std::string::npos) {
            return json::value(nullptr);
        }
        auto parsed = parse_json(response->body, "Vercel " + std::string(endpoint));
        if (!parsed) {
            spdlog::warn("Vercel: malformed JSON from {}", endpoint);
        }
        return parsed;
    }

    static error status_error(const http_response& response, std::string_view endpoint, std::string_view secret) {
        error e;
        e.kind = kind_for_status(response.status);
        e.http_status = response.status;
        // Error bodies are {"error":{"code","message"}} (docs/platforms.md §1, [V12][V13]).
        std::string code;
        std::string message;
        boost::system::error_code ec;
        const auto parsed = json::parse(response.body, ec);
        if (!ec && parsed.is_object()) {
            if (const auto* err = parsed.get_object().if_contains("error"); err && err->is_object()) {
                code = json_string(err->get_object(), "code");
                message = json_string(err->get_object(), "message");
            }
        }
        if (code.empty() && message.empty()) {
            e.message = "Vercel: HTTP " + std::to_string(response.status) + " from " + std::string(endpoint);
        } else {
            // The API may echo what it was sent (an env value): scrub before the message is logged.
            const std::string text = code + ": " + message;
            e.message = "Vercel: " + (secret.empty() ? text : provider_http::scrub(text, {secret}));
        }
        if (auto retry = response.header("Retry-After")) {
            try {
                e.retry_after = std::chrono::seconds(std::stol(*retry));
            } catch (const std::exception&) {
                spdlog::debug("Vercel: Retry-After `{}` is not in seconds", *retry);
            }
        }
        spdlog::warn("Vercel: {} answered {}: {}", endpoint, response.status, e.message);
        return e;
    }

    service_config service_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<vercel_platform> make_vercel_platform(const service_config& service, std::string token,
                                                      http_client& http) {
    return std::make_unique<vercel_impl>(service, std::move(token), http);
}

}  // namespace opsbot::adapters
