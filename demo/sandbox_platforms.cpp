// SANDBOX ONLY (`opsbot demo`): in-memory Vercel and /health. See sandbox_platforms.hpp.
#include "demo/sandbox_platforms.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::demo {

using adapters::vercel_alias_job;
using adapters::vercel_deployment;

namespace {

std::int64_t to_ms(opsbot::clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string random_chars(std::mt19937_64& random, size_t n, std::string_view alphabet) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += alphabet[random() % alphabet.size()];
    }
    return out;
}

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view hex = "0123456789abcdef";

}  // namespace

sandbox_vercel::sandbox_vercel(const opsbot::clock& clock, int polls_to_finish)
    : clock_(clock), polls_to_finish_(std::max(1, polls_to_finish)) {
    const auto now = to_ms(clock_.now());
    for (int i = 0; i < 6; ++i) {
        vercel_deployment d;
        d.id = "dpl_" + random_chars(random_, 28, base62);
        d.name = "web";
        d.url = "web-" + random_chars(random_, 9, "abcdefghijklmnopqrstuvwxyz0123456789") + "-sandbox.vercel.app";
        d.created_ms = now - (i + 1) * 26 * 3600 * 1000LL;  // roughly one a day
        d.state = i == 1 ? "ERROR" : "READY";                // the second newest failed to build
        d.ready_substate = i == 0 ? "PROMOTED" : "";
        d.target = "production";
        d.commit_sha = random_chars(random_, 40, hex);
        d.commit_ref = "main";
        d.is_rollback_candidate = d.state == "READY";
        deployments_.push_back(d);
    }
    // The web app's variables on both targets (values are made up here and never shown).
    for (const char* key : {"NEXT_PUBLIC_API_URL", "POSTHOG_API_KEY", "SENTRY_DSN", "SENTRY_AUTH_TOKEN"}) {
        for (const char* target : {"production", "preview"}) {
            env_[{key, target}] = {"env_" + random_chars(random_, 16, base62),
                                   "sandbox-" + random_chars(random_, 24, hex), "encrypted"};
        }
    }
}

result<std::vector<vercel_deployment>> sandbox_vercel::list_production_deployments(int limit) {
    if (limit <= 0) {
        return fail(error_kind::invalid_input, "Vercel: deployment list limit must be positive");
    }
    std::lock_guard lock(mutex_);
    std::vector<vercel_deployment> out;
    for (const auto& d : deployments_) {
        if (d.production() && std::ssize(out) < limit) {
            out.push_back(d);
        }
    }
    return out;
}

result<vercel_deployment> sandbox_vercel::get_deployment(const std::string& id) {
    std::lock_guard lock(mutex_);
    for (auto& d : deployments_) {
        if (d.id == id) {
            // A redeploy builds for a few polls, like GET /v13/deployments/{id} (docs/platforms.md §1.2).
            if (d.state == "BUILDING" && ++build_polls_[id] >= polls_to_finish_) {
                d.state = "READY";
            }
            return d;
        }
    }
    return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
}

result<vercel_deployment> sandbox_vercel::current_production() {
    auto list = list_production_deployments(20);
    if (!list) {
        return std::unexpected(list.error());
    }
    return adapters::pick_vercel_current_production(*list);
}

result<void> sandbox_vercel::request_rollback(const std::string& deployment_id) {
    return start_alias_job(deployment_id, "rollback");
}

result<void> sandbox_vercel::request_promote(const std::string& deployment_id) {
    return start_alias_job(deployment_id, "promote");
}

result<void> sandbox_vercel::start_alias_job(const std::string& id, const std::string& type) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(deployments_.begin(), deployments_.end(), [&](const auto& d) { return d.id == id; });
    if (it == deployments_.end()) {
        return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
    }
    if (!it->ready() || !it->production()) {
        return fail(error_kind::http_status, "Vercel: bad_request: Deployment is not a READY production deployment",
                    400);
    }
    job_ = vercel_alias_job{true, "", id, "pending", to_ms(clock_.now()), type};
    for (const auto& d : deployments_) {
        if (d.ready_substate == "PROMOTED") {
            job_.from_deployment_id = d.id;
        }
    }
    job_polls_ = 0;
    spdlog::info("[sandbox] Vercel {} to {} requested", type, id);
    return {};
}

result<vercel_alias_job> sandbox_vercel::alias_job_status() {
    std::lock_guard lock(mutex_);
    if (job_.present && !job_.finished()) {
        ++job_polls_;
        if (job_polls_ >= polls_to_finish_) {
            job_.job_status = fail_next_ ? "failed" : "succeeded";
            if (!fail_next_) {
                for (auto& d : deployments_) {
                    d.ready_substate = d.id == job_.to_deployment_id ? "PROMOTED" : "";
                }
            }
            fail_next_ = false;
        } else {
            job_.job_status = "in-progress";
        }
    }
    return job_;
}

result<std::string> sandbox_vercel::redeploy(const std::string& from_deployment_id, const std::string& name,
                                             const std::string& target, bool latest_commit) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(deployments_.begin(), deployments_.end(),
                                 [&](const auto& d) { return d.id == from_deployment_id; });
    if (it == deployments_.end()) {
        return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
    }
    vercel_deployment d = *it;
    if (latest_commit) {
        // The sandbox's newest commit of that branch is the one its newest deployment of the branch built.
        const auto newest = std::find_if(deployments_.begin(), deployments_.end(),
                                         [&](const auto& other) { return other.commit_ref == d.commit_ref; });
        d.commit_sha = newest->commit_sha;
    }
    d.id = "dpl_" + random_chars(random_, 28, base62);
    d.name = name;
    d.target = target;
    d.state = "BUILDING";
    d.ready_substate.clear();
    d.created_ms = to_ms(clock_.now());
    deployments_.insert(deployments_.begin(), d);
    return d.id;
}

result<void> sandbox_vercel::upsert_env(const std::string& key, const std::string& value, const std::string& type,
                                        const std::vector<std::string>& targets) {
    if (key.empty() || targets.empty()) {
        return fail(error_kind::invalid_input, "Vercel: bad_request: an env variable needs a key and a target", 400);
    }
    std::lock_guard lock(mutex_);
    for (const auto& target : targets) {
        auto& entry = env_[{key, target}];
        if (entry.id.empty()) {
            entry.id = "env_" + random_chars(random_, 16, base62);
        }
        entry.value = value;
        entry.type = type;
    }
    spdlog::info("[sandbox] Vercel env {} saved for {} target(s)", key, targets.size());
    return {};
}

result<std::vector<adapters::vercel_env_var>> sandbox_vercel::list_env(const std::string& target) {
    std::lock_guard lock(mutex_);
    std::vector<adapters::vercel_env_var> out;
    for (const auto& [where, entry] : env_) {
        if (where.second == target) {
            out.push_back({entry.id, where.first, entry.type, {where.second}});
        }
    }
    return out;
}

void sandbox_vercel::fail_next_alias_job() {
    std::lock_guard lock(mutex_);
    fail_next_ = true;
}

std::vector<std::string> sandbox_vercel::env_names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [where, entry] : env_) {
        if (names.empty() || names.back() != where.first) {
            names.push_back(where.first);
        }
    }
    return names;
}

result<adapters::health_report> sandbox_health::check(const std::string& url, std::chrono::milliseconds) {
    boost::json::object checks;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, v] : checks_) {
            checks[k] = v;
        }
    }
    const bool all_ok = std::all_of(checks.begin(), checks.end(), [](const auto& kv) { return kv.value() == "ok"; });
    boost::json::object body{{"status", all_ok ? "ok" : "degraded"},
                             {"timestamp", "sandbox"},
                             {"checks", std::move(checks)}};
    auto report = adapters::judge_health_answer(all_ok ? 200 : 503, boost::json::serialize(body));
    spdlog::debug("[sandbox] health of {}: {}", url, report.ok ? "ok" : report.reason);
    return report;
}

void sandbox_health::set_check(const std::string& name, const std::string& value) {
    std::lock_guard lock(mutex_);
    checks_[name] = value;
}

sandbox_platforms make_sandbox_platforms(const opsbot::clock& clock) {
    return {std::make_unique<sandbox_vercel>(clock), std::make_unique<sandbox_railway>(clock),
            std::make_unique<sandbox_health>()};
}

std::map<std::string, service_config> sandbox_service_configs() {
    service_config web;
    web.name = "web";
    web.platform = opsbot::platform_kind::vercel;
    web.api_url = "sandbox://vercel";
    web.project_id = "prj_sandboxWeb";
    web.team_id = "team_sandbox";
    web.url = "https://app.sandbox.invalid";
    service_config api;
    api.name = "api";
    api.platform = opsbot::platform_kind::railway;
    api.api_url = "sandbox://railway";
    api.project_id = "5c0c6b1e-0000-4000-8000-5a4db0c0ffee";
    api.service_id = "a91e2f3d-0000-4000-8000-5a4db0c0ffee";
    api.environments = {{"production", "env-production-sandbox"}, {"staging", "env-staging-sandbox"}};
    api.health_url = {{"production", "https://api.sandbox.invalid/health"},
                      {"staging", "https://api-staging.sandbox.invalid/health"}};
    return {{"web", web}, {"api", api}};
}

}  // namespace opsbot::demo
