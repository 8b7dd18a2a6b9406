// Fake Vercel REST API: the shapes of docs/platforms.md §7, the behaviour of §1.1-§1.5.
#include "tests/support/fake_vercel.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

sim::response vercel_error(int status, std::string code, std::string message) {
    return sim::response::json(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 1;
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        parts.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return parts;
}

json::value list_item(const fake_vercel_deployment& d) {
    json::object o{{"uid", d.uid},
                   {"name", d.name},
                   {"projectId", "prj"},
                   {"url", d.name + "-" + d.uid.substr(std::min<size_t>(4, d.uid.size())) + ".vercel.app"},
                   {"created", d.created},
                   {"createdAt", d.created},
                   {"buildingAt", d.created + 2000},
                   {"state", d.state},
                   {"readyState", d.state},
                   {"type", "LAMBDAS"},
                   {"creator", json::object{{"uid", "usr_1"}, {"username", "ci"}}},
                   {"meta", json::object{{"githubCommitSha", d.sha}, {"githubCommitRef", d.ref}}},
                   {"isRollbackCandidate", d.is_rollback_candidate},
                   {"source", "git"}};
    if (d.state == "READY") {
        o["ready"] = d.created + 90000;
    }
    if (!d.ready_substate.empty()) {
        o["readySubstate"] = d.ready_substate;
    }
    o["target"] = d.target.empty() ? json::value(nullptr) : json::value(d.target);
    return o;
}

}  // namespace

fake_vercel::fake_vercel() : fake_vercel(options{}) {}

fake_vercel::fake_vercel(options o) : options_(std::move(o)) {
    server_ = std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); });
}

fake_vercel::~fake_vercel() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_vercel::base_url() const { return server_->base_url(); }

void fake_vercel::add_deployment(fake_vercel_deployment d) {
    std::lock_guard lock(mutex_);
    if (d.env.empty() && d.target == "production") {
        d.env = production_env_locked();
    }
    deployments_.push_back(std::move(d));
}

std::vector<fake_vercel_deployment> fake_vercel::deployments() const {
    std::lock_guard lock(mutex_);
    return deployments_;
}

std::optional<fake_vercel_deployment> fake_vercel::deployment(const std::string& uid) const {
    std::lock_guard lock(mutex_);
    for (const auto& d : deployments_) {
        if (d.uid == uid) {
            return d;
        }
    }
    return std::nullopt;
}

std::string fake_vercel::last_alias_request_json() const {
    std::lock_guard lock(mutex_);
    if (!job_) {
        return "null";
    }
    return json::serialize(json::object{{"fromDeploymentId", job_->from},
                                        {"toDeploymentId", job_->to},
                                        {"jobStatus", job_->status},
                                        {"requestedAt", job_->requested_at},
                                        {"type", job_->type}});
}

void fake_vercel::fail_next_alias_job() {
    std::lock_guard lock(mutex_);
    fail_next_job_ = true;
}

std::map<std::string, fake_vercel_env> fake_vercel::env() const {
    std::lock_guard lock(mutex_);
    return env_;
}

std::vector<sim::request> fake_vercel::requests() const { return server_->requests(); }

size_t fake_vercel::count(std::string_view method, std::string_view path_prefix) const {
    return count_requests(server_->requests(), method, path_prefix);
}

sim::response fake_vercel::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (r.header("Authorization").value_or("") != "Bearer " + options_.token) {
        return vercel_error(403, "forbidden", "Not authorized");
    }
    // Team resources need ?teamId= on every call (docs/platforms.md §1).
    const auto team = r.query.find("teamId");
    const std::string team_id = team == r.query.end() ? "" : team->second;
    if (team_id != options_.team_id) {
        return vercel_error(403, "forbidden", "Not authorized");
    }
    const auto parts = split_path(r.path);
    const auto is = [&](std::initializer_list<std::string_view> want) {
        if (parts.size() != want.size()) {
            return false;
        }
        size_t i = 0;
        for (auto w : want) {
            if (w != "*" && parts[i] != w) {
                return false;
            }
            ++i;
        }
        return true;
    };
    // Only the paths of the API description (vercel.json): GET /v7/deployments, not the older /v6 the CLI used.
    if (r.method == "GET" && is({"v7", "deployments"})) {
        return list(r);
    }
    if (r.method == "GET" && is({"v13", "deployments", "*"})) {
        return get_one(parts[2]);
    }
    if (r.method == "POST" && is({"v13", "deployments"})) {
        return create_deployment(r);
    }
    if (parts.size() >= 3 && parts[1] == "projects" && parts[2] != options_.project_id) {
        return vercel_error(404, "not_found", "Project not found");
    }
    // The documented rollback is /v1 (the CLI's /v9 is not in the description: 404).
    if (r.method == "POST" && is({"v1", "projects", "*", "rollback", "*"})) {
        return alias_request(r, parts[4], "rollback");
    }
    if (r.method == "POST" && is({"v10", "projects", "*", "promote", "*"})) {
        return alias_request(r, parts[4], "promote");
    }
    if (r.method == "GET" && is({"v9", "projects", "*"})) {
        return project(r);
    }
    if (r.method == "POST" && is({"v10", "projects", "*", "env"})) {
        return upsert_env(r);
    }
    if (r.method == "GET" && is({"v10", "projects", "*", "env"})) {
        return list_env(r);
    }
    return vercel_error(404, "not_found", "The requested path was not found");
}

sim::response fake_vercel::list(const sim::request& r) {
    const auto q = [&](const char* k) {
        const auto it = r.query.find(k);
        return it == r.query.end() ? std::string() : it->second;
    };
    if (q("projectId") != options_.project_id) {
        return vercel_error(404, "not_found", "Project not found");
    }
    int limit = 20;
    try {
        limit = q("limit").empty() ? 20 : std::stoi(q("limit"));
        if (!q("until").empty()) {
            (void)std::stoll(q("until"));
        }
    } catch (const std::exception&) {
        return vercel_error(400, "bad_request", "Invalid query parameter");
    }
    limit = std::clamp(limit, 1, std::max(1, options_.max_page_size));
    std::lock_guard lock(mutex_);
    auto sorted = deployments_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
    std::erase_if(sorted, [&](const fake_vercel_deployment& d) {
        return (!q("target").empty() && d.target != q("target")) ||
               (!q("until").empty() && d.created > std::stoll(q("until")));
    });
    json::array items;
    for (size_t i = 0; i < sorted.size() && i < static_cast<size_t>(limit); ++i) {
        items.push_back(list_item(sorted[i]));
    }
    // pagination.next = just before the last item's `created`, null on the last page (docs/platforms.md §7).
    const bool more = sorted.size() > static_cast<size_t>(limit);
    json::object pagination{{"count", items.size()},
                            {"next", more ? json::value(sorted[static_cast<size_t>(limit) - 1].created - 1)
                                          : json::value(nullptr)},
                            {"prev", sorted.empty() ? json::value(nullptr) : json::value(sorted.front().created)}};
    return sim::response::json(200, json::object{{"deployments", std::move(items)}, {"pagination", pagination}});
}

sim::response fake_vercel::get_one(const std::string& id) {
    std::lock_guard lock(mutex_);
    for (auto& d : deployments_) {
        if (d.uid != id) {
            continue;
        }
        // A redeployed build becomes READY after `build_polls` reads (docs/platforms.md §1.2 polling).
        if (d.state == "BUILDING" && ++build_polls_[d.uid] >= options_.build_polls) {
            d.state = "READY";
            // A new production build is aliased once READY (auto-assigned domains): it serves production now.
            if (d.target == "production") {
                for (auto& other : deployments_) {
                    other.ready_substate = other.uid == d.uid ? "PROMOTED" : "";
                }
            }
        }
        json::object o{{"id", d.uid},
                       {"url", d.name + "-" + d.uid.substr(std::min<size_t>(4, d.uid.size())) + ".vercel.app"},
                       {"name", d.name},
                       {"projectId", options_.project_id},
                       {"readyState", d.state},
                       {"target", d.target.empty() ? json::value(nullptr) : json::value(d.target)},
                       {"aliasAssigned", d.state == "READY"},  // a boolean in the description, never null
                       {"aliasError", nullptr},
                       {"createdAt", d.created},
                       {"meta", json::object{{"githubCommitSha", d.sha}, {"githubCommitRef", d.ref}}}};
        if (!d.ready_substate.empty()) {
            o["readySubstate"] = d.ready_substate;
        }
        return sim::response::json(200, o);
    }
    return sim::response::json(
        404, json::object{
                 {"error", json::object{{"code", "not_found"}, {"message", "Deployment not found"}, {"id", id}}}});
}

sim::response fake_vercel::alias_request(const sim::request& r, const std::string& id, const std::string& type) {
    // The CLI sends `{}` and the API requires a JSON body (docs/platforms.md §1.3).
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    if (ec || !body.is_object()) {
        return vercel_error(400, "bad_request", "Invalid request: body must be a JSON object");
    }
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(deployments_.begin(), deployments_.end(), [&](const auto& d) { return d.uid == id; });
    if (it == deployments_.end()) {
        return vercel_error(404, "not_found", "Deployment not found");
    }
    if (it->state != "READY" || it->target != "production") {
        return vercel_error(400, "bad_request", "Deployment " + id + " is not a READY production deployment");
    }
    // Vercel moves production only onto a deployment it still keeps as a rollback candidate, and runs one alias
    // job per project at a time (docs/platforms.md §1.3: 400 and 409 are the documented refusals).
    if (!it->is_rollback_candidate) {
        return vercel_error(400, "bad_request", "Deployment " + id + " is not a rollback candidate");
    }
    if (job_ && (job_->status == "pending" || job_->status == "in-progress")) {
        return vercel_error(409, "conflict", "A " + job_->type + " is already in progress for this project");
    }
    std::string from;
    for (const auto& d : deployments_) {
        if (d.ready_substate == "PROMOTED") {
            from = d.uid;
        }
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    job_ = alias_job{from, id, "pending", type, now, 0, fail_next_job_};
    fail_next_job_ = false;
    // 201 (rollback) / 202 (promote), no body (docs/platforms.md §7).
    return sim::response::text(type == "rollback" ? 201 : 202, "");
}

sim::response fake_vercel::project(const sim::request& r) {
    std::lock_guard lock(mutex_);
    json::object o{{"id", options_.project_id}, {"name", "web"}, {"accountId", options_.team_id}};
    if (r.query.contains("rollbackInfo") && job_) {
        auto& job = *job_;
        if (job.status == "pending" || job.status == "in-progress") {
            ++job.polls;
            if (job.polls >= options_.alias_job_polls) {
                job.status = job.fail ? "failed" : "succeeded";
                if (!job.fail) {
                    for (auto& d : deployments_) {
                        d.ready_substate = d.uid == job.to ? "PROMOTED" : "";
                    }
                }
            } else {
                job.status = job.polls == 1 ? "pending" : "in-progress";
            }
        }
        o["lastAliasRequest"] = json::object{{"fromDeploymentId", job.from},
                                             {"toDeploymentId", job.to},
                                             {"jobStatus", job.status},
                                             {"requestedAt", job.requested_at},
                                             {"type", job.type}};
    } else if (r.query.contains("rollbackInfo")) {
        o["lastAliasRequest"] = nullptr;
    }
    return sim::response::json(200, o);
}

sim::response fake_vercel::create_deployment(const sim::request& r) {
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    if (ec || !body.is_object() || !body.get_object().contains("name")) {
        return vercel_error(400, "bad_request", "Invalid request: should have required property 'name'");
    }
    const auto& b = body.get_object();
    const auto* from_id = b.if_contains("deploymentId");
    std::lock_guard lock(mutex_);
    const auto from = std::find_if(deployments_.begin(), deployments_.end(), [&](const auto& d) {
        return from_id && from_id->is_string() && d.uid == from_id->get_string();
    });
    if (from == deployments_.end()) {
        return vercel_error(404, "not_found", "Deployment not found");
    }
    fake_vercel_deployment d = *from;
    d.uid = "dpl_Redeploy" + std::to_string(next_id_++) + "Xq9";
    d.state = "BUILDING";
    d.ready_substate.clear();
    std::int64_t newest = 0;
    for (const auto& x : deployments_) {
        newest = std::max(newest, x.created);
    }
    d.created = newest + 60000;
    if (const auto* t = b.if_contains("target"); t && t->is_string()) {
        d.target = std::string(t->get_string());
    }
    // Built now: with the project's current environment, not the source deployment's (docs/platforms.md §1.4).
    d.env = d.target == "production" ? production_env_locked() : std::map<std::string, std::string>{};
    deployments_.push_back(d);
    return sim::response::json(200, json::object{{"id", d.uid},
                                                 {"url", d.name + "-redeploy.vercel.app"},
                                                 {"readyState", "QUEUED"},
                                                 {"createdAt", d.created}});
}

}  // namespace opsbot::testing
