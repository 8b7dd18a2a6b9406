// SANDBOX ONLY (`opsbot demo`): in-memory Railway. See sandbox_platforms.hpp.
#include "bot/sandbox_platforms.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::bot {

using adapters::railway_deployment;

sandbox_railway::sandbox_railway(const opsbot::clock& clock, int polls_to_finish)
    : clock_(clock), polls_to_finish_(std::max(1, polls_to_finish)) {
    const char* messages[] = {"fix: retry webhook delivery", "feat: broadcast scheduling", "chore: bump prisma",
                              "fix: session refresh race"};
    for (const std::string env : {"production", "staging"}) {
        // Newest first: the live one, then three replaced (REMOVED, still rollbackable) ones.
        for (int i = 0; i < 4; ++i) {
            entry e;
            e.environment = env;
            e.deployment.id = new_id();
            e.deployment.created_at = timestamp(std::chrono::minutes((i + 1) * 24 * 60 + (env == "staging" ? 90 : 0)));
            e.deployment.status = i == 0 ? "SUCCESS" : "REMOVED";
            e.deployment.can_rollback = i != 0;
            e.deployment.can_redeploy = true;
            e.deployment.commit_hash = fmt::format("{:07x}", random_() & 0xFFFFFFF);
            e.deployment.commit_message = messages[i];
            e.deployment.branch = "main";
            entries_.push_back(e);
        }
        // The API's variables (values are made up here and never shown).
        for (const char* name : {"DATABASE_URL", "BETTER_AUTH_SECRET", "CREDENTIAL_ENCRYPTION_KEY", "RESEND_API_KEY",
                                 "OPENAI_API_KEY", "POSTHOG_API_KEY", "SENTRY_DSN"}) {
            variables_[env][name] = fmt::format("sandbox-{:016x}", random_());
        }
    }
}

std::string sandbox_railway::new_id() {
    const auto a = random_();
    const auto b = random_();
    return fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
                       (b >> 48) & 0xFFF, b & 0xFFFFFFFFFFFFULL);
}

namespace {

// Railway's createdAt shape, "2026-11-26T10:00:00.000Z" (platforms.md §7); fmt 9 prints no sub-seconds itself.
std::string iso_millis(opsbot::clock::time_point t) {
    const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
    const auto s = std::chrono::time_point_cast<std::chrono::seconds>(ms);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", s, (ms - s).count());
}

}  // namespace

std::string sandbox_railway::timestamp(std::chrono::minutes ago) const { return iso_millis(clock_.now() - ago); }

bool sandbox_railway::known(const std::string& environment) const {
    return environment == "production" || environment == "staging";
}

void sandbox_railway::advance(entry& e) {
    auto& d = e.deployment;
    if (!d.in_progress()) {
        return;
    }
    ++e.polls;
    if (e.polls < polls_to_finish_) {
        d.status = e.polls * 2 < polls_to_finish_ ? "BUILDING" : "DEPLOYING";
        return;
    }
    if (e.will_fail) {
        d.status = "FAILED";
        d.can_redeploy = true;
        spdlog::info("[sandbox] Railway deployment {} FAILED", d.id);
        return;
    }
    for (auto& other : entries_) {
        if (other.environment == e.environment && other.deployment.id != d.id && other.deployment.succeeded()) {
            other.deployment.status = "REMOVED";
            other.deployment.can_rollback = true;
        }
    }
    d.status = "SUCCESS";
    d.can_redeploy = true;
    spdlog::info("[sandbox] Railway deployment {} is live", d.id);
}

sandbox_railway::entry& sandbox_railway::create_from(const entry& source) {
    entry e = source;
    e.deployment.id = new_id();
    // Millisecond precision keeps several new deployments within one second ordered.
    ++created_;
    e.deployment.created_at = iso_millis(clock_.now() + std::chrono::milliseconds(created_));
    e.deployment.status = "BUILDING";
    e.deployment.can_rollback = false;
    e.deployment.can_redeploy = false;
    e.polls = 0;
    e.will_fail = fail_next_;
    fail_next_ = false;
    entries_.push_back(e);
    return entries_.back();
}

result<std::vector<railway_deployment>> sandbox_railway::list_deployments(const std::string& environment_name,
                                                                         int first) {
    if (!known(environment_name)) {
        return fail(error_kind::invalid_input, "Railway: no environment id for `" + environment_name +
                                                   "`: set services.api.environments." + environment_name);
    }
    std::lock_guard lock(mutex_);
    std::vector<railway_deployment> out;
    for (const auto& e : entries_) {
        if (e.environment == environment_name) {
            out.push_back(e.deployment);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    if (first >= 0 && std::ssize(out) > first) {
        out.resize(static_cast<size_t>(first));
    }
    return out;
}

result<railway_deployment> sandbox_railway::latest_deployment(const std::string& environment_name) {
    if (!known(environment_name)) {
        return fail(error_kind::invalid_input, "Railway: no environment id for `" + environment_name +
                                                   "`: set services.api.environments." + environment_name);
    }
    std::lock_guard lock(mutex_);
    entry* newest = nullptr;
    for (auto& e : entries_) {
        if (e.environment == environment_name && (!newest || e.deployment.created_at > newest->deployment.created_at)) {
            newest = &e;
        }
    }
    if (!newest) {
        return fail(error_kind::not_found, "Railway: no deployment yet in " + environment_name);
    }
    advance(*newest);
    return newest->deployment;
}

result<std::string> sandbox_railway::deployment_status(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    for (auto& e : entries_) {
        if (e.deployment.id == deployment_id) {
            advance(e);
            return e.deployment.status;
        }
    }
    return fail(error_kind::not_found, "Railway: DeploymentStatus: Deployment not found");
}

result<void> sandbox_railway::rollback(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const entry& e) { return e.deployment.id == deployment_id; });
    if (it == entries_.end()) {
        return fail(error_kind::not_found, "Railway: DeploymentRollback: Deployment not found");
    }
    if (!it->deployment.can_rollback) {
        return fail(error_kind::http_status, "Railway: DeploymentRollback: Deployment cannot be rolled back");
    }
    const entry source = *it;  // copy: create_from may reallocate
    const auto& created = create_from(source);
    spdlog::info("[sandbox] Railway rollback to {} started as {}", deployment_id, created.deployment.id);
    return {};
}

result<std::string> sandbox_railway::redeploy_latest(const std::string& environment_name) {
    if (!known(environment_name)) {
        return fail(error_kind::invalid_input, "Railway: no environment id for `" + environment_name +
                                                   "`: set services.api.environments." + environment_name);
    }
    std::lock_guard lock(mutex_);
    const entry* live = nullptr;
    for (const auto& e : entries_) {
        if (e.environment == environment_name && e.deployment.succeeded()) {
            live = &e;
        }
    }
    if (!live) {
        return fail(error_kind::not_found, "Railway: nothing live in " + environment_name + " to redeploy");
    }
    const entry source = *live;
    return create_from(source).deployment.id;
}

result<std::string> sandbox_railway::redeploy_deployment(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const entry& e) { return e.deployment.id == deployment_id; });
    if (it == entries_.end()) {
        return fail(error_kind::not_found, "Railway: DeploymentRedeploy: Deployment not found");
    }
    if (!it->deployment.can_redeploy) {
        return fail(error_kind::http_status, "Railway: DeploymentRedeploy: Deployment cannot be redeployed");
    }
    // The old image with the service's current variables (runbook §5 "Redeploy the previous deployment").
    const entry source = *it;  // copy: create_from may reallocate
    const std::string id = create_from(source).deployment.id;
    spdlog::info("[sandbox] Railway redeploy of {} started as {}", deployment_id, id);
    return id;
}

result<void> sandbox_railway::upsert_variables(const std::string& environment_name,
                                               const std::map<std::string, std::string>& variables,
                                               bool skip_deploys) {
    if (!known(environment_name)) {
        return fail(error_kind::invalid_input, "Railway: no environment id for `" + environment_name +
                                                   "`: set services.api.environments." + environment_name);
    }
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, v] : variables) {
            variables_[environment_name][k] = v;
        }
    }
    spdlog::info("[sandbox] Railway: {} variable(s) set in {}", variables.size(), environment_name);
    if (!skip_deploys) {
        auto id = redeploy_latest(environment_name);
        if (!id) {
            return std::unexpected(id.error());
        }
    }
    return {};
}

result<std::map<std::string, std::string>> sandbox_railway::variables(const std::string& environment_name) {
    if (!known(environment_name)) {
        return fail(error_kind::invalid_input, "Railway: no environment id for `" + environment_name +
                                                   "`: set services.api.environments." + environment_name);
    }
    std::lock_guard lock(mutex_);
    const auto it = variables_.find(environment_name);
    return it == variables_.end() ? std::map<std::string, std::string>{} : it->second;
}

void sandbox_railway::fail_next_deploy() {
    std::lock_guard lock(mutex_);
    fail_next_ = true;
}

}  // namespace opsbot::bot
