// In-memory Railway. See memory_railway.hpp.
#include "fakes/memory_railway.hpp"

#include "fakes/railway_lifecycle.hpp"
#include "fakes/railway_logs.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace opsbot::fakes {

using adapters::railway_deployment;

std::string railway_timestamp(opsbot::clock::time_point t) {
    // fmt 9 prints no sub-seconds itself.
    const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
    const auto s = std::chrono::time_point_cast<std::chrono::seconds>(ms);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", s, (ms - s).count());
}

memory_railway::memory_railway(const opsbot::clock& clock, options opts, call_log* log)
    : platform_record("Railway", log), clock_(clock), options_(std::move(opts)) {
    options_.polls_to_finish = std::max(1, options_.polls_to_finish);
}

std::string memory_railway::new_id(const std::string& source) {
    if (!options_.new_id_prefix.empty()) {
        return fmt::format("{}-{}-from-{}", options_.new_id_prefix, created_ + 1, source);
    }
    const auto a = random_();
    const auto b = random_();
    return fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
                       (b >> 48) & 0xFFF, b & 0xFFFFFFFFFFFFULL);
}

std::string memory_railway::stamp() {
    // Millisecond steps keep several new deployments within one clock reading ordered.
    ++created_;
    return railway_timestamp(clock_.now() + std::chrono::milliseconds(created_));
}

result<void> memory_railway::known(const std::string& environment) const {
    if (std::ranges::find(options_.environments, environment) == options_.environments.end()) {
        return fail(error_kind::invalid_input, fmt::format("Railway: no environment id for `{}`: set services.{}."
                                                           "environments.{}",
                                                           environment, options_.service, environment));
    }
    return {};
}

memory_railway::entry* memory_railway::find(const std::string& id) {
    const auto it = std::ranges::find_if(entries_, [&](const entry& e) { return e.deployment.id == id; });
    return it == entries_.end() ? nullptr : &*it;
}

const memory_railway::entry* memory_railway::live_entry(const std::string& environment) const {
    const entry* live = nullptr;
    for (const auto& e : entries_) {
        if (e.environment == environment && e.deployment.succeeded() &&
            (live == nullptr || e.deployment.created_at > live->deployment.created_at)) {
            live = &e;
        }
    }
    return live;
}

void memory_railway::replace_live(const std::string& environment, const std::string& except_id) {
    for (auto& other : entries_) {
        if (other.environment == environment && other.deployment.id != except_id && other.deployment.succeeded()) {
            other.deployment.status = "REMOVED";
            other.deployment.can_rollback = true;
        }
    }
}

void memory_railway::advance(entry& e) {
    auto& d = e.deployment;
    if (!d.in_progress()) {
        return;
    }
    d.status = railway_status_at_poll(++e.polls, options_.polls_to_finish, e.will_fail);
    if (d.in_progress()) {
        return;
    }
    d.can_redeploy = true;
    if (d.failed()) {
        spdlog::info("[sandbox] Railway deployment {} FAILED", d.id);
        return;
    }
    replace_live(e.environment, d.id);
    spdlog::info("[sandbox] Railway deployment {} is live", d.id);
}

std::string memory_railway::create_from(entry source) {
    source.deployment.id = new_id(source.deployment.id);
    source.deployment.created_at = stamp();
    source.deployment.status = "BUILDING";
    source.deployment.can_rollback = false;
    source.deployment.can_redeploy = false;
    source.polls = 0;
    source.will_fail = std::exchange(fail_next_, false);
    entries_.push_back(source);
    return source.deployment.id;
}

result<std::vector<railway_deployment>> memory_railway::list_deployments(const std::string& environment_name,
                                                                        int first) {
    if (auto ok = known(environment_name); !ok) {
        return std::unexpected(ok.error());
    }
    std::lock_guard lock(mutex_);
    std::vector<railway_deployment> out;
    for (const auto& e : entries_) {
        if (e.environment == environment_name) {
            out.push_back(e.deployment);
        }
    }
    std::ranges::stable_sort(out, [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    if (first >= 0 && std::ssize(out) > first) {
        out.resize(static_cast<size_t>(first));
    }
    return out;
}

result<railway_deployment> memory_railway::latest_deployment(const std::string& environment_name) {
    if (auto ok = known(environment_name); !ok) {
        return std::unexpected(ok.error());
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

result<std::string> memory_railway::deployment_status(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    entry* e = find(deployment_id);
    if (e == nullptr) {
        return fail(error_kind::not_found, "Railway: DeploymentStatus: Deployment not found");
    }
    advance(*e);
    return e->deployment.status;
}

result<std::string> memory_railway::new_deployment_from(const std::string& deployment_id, const std::string& mutation,
                                                        bool adapters::railway_deployment::*allowed,
                                                        const std::string& refusal) {
    const entry* source = find(deployment_id);
    if (source == nullptr) {
        return fail(error_kind::not_found, "Railway: " + mutation + ": Deployment not found");
    }
    if (!(source->deployment.*allowed)) {
        return fail(error_kind::http_status, "Railway: " + mutation + ": Deployment " + refusal);
    }
    const std::string id = create_from(*source);
    spdlog::info("[sandbox] Railway {} of {} started as {}", mutation, deployment_id, id);
    return id;
}

result<void> memory_railway::rollback(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    auto done = mutate(fmt::format("railway.rollback {} {}", options_.service, deployment_id), "deploymentRollback",
                       [&] {
                           return new_deployment_from(deployment_id, "DeploymentRollback",
                                                      &railway_deployment::can_rollback, "cannot be rolled back");
                       });
    if (!done) {
        return std::unexpected(done.error());
    }
    return {};
}

result<std::string> memory_railway::redeploy_latest(const std::string& environment_name) {
    std::lock_guard lock(mutex_);
    return mutate(fmt::format("railway.redeploy {} {}", options_.service, environment_name),
                  "serviceInstanceDeployV2", [&]() -> result<std::string> {
                      if (auto ok = known(environment_name); !ok) {
                          return std::unexpected(ok.error());
                      }
                      const entry* live = live_entry(environment_name);
                      if (live == nullptr) {
                          return fail(error_kind::not_found,
                                      "Railway: nothing live in " + environment_name + " to redeploy");
                      }
                      return create_from(*live);
                  });
}

result<std::string> memory_railway::redeploy_deployment(const std::string& deployment_id) {
    std::lock_guard lock(mutex_);
    // The old image with the service's current variables (runbook §5 "Redeploy the previous deployment").
    return mutate(fmt::format("railway.redeploy {} {}", options_.service, deployment_id), "deploymentRedeploy", [&] {
        return new_deployment_from(deployment_id, "DeploymentRedeploy", &railway_deployment::can_redeploy,
                                   "cannot be redeployed");
    });
}

result<void> memory_railway::upsert_variables(const std::string& environment_name,
                                              const std::map<std::string, std::string>& variables,
                                              bool skip_deploys) {
    std::lock_guard lock(mutex_);
    record(fmt::format("railway.upsert {} {} skip={}", options_.service, environment_name, skip_deploys));
    if (auto ok = known(environment_name); !ok) {
        return std::unexpected(ok.error());
    }
    if (!refused_variable_.empty() && variables.contains(refused_variable_)) {
        return fail(error_kind::bad_response, "Railway: variableCollectionUpsert: refused");
    }
    for (const auto& [k, v] : variables) {
        variables_[environment_name][k] = v;
        wrote(v);
    }
    spdlog::info("[sandbox] Railway: {} variable(s) set in {}", variables.size(), environment_name);
    if (!skip_deploys) {
        // Railway redeploys by itself (docs/platforms.md §0): not a call of the bot's, so not logged or counted.
        const entry* live = live_entry(environment_name);
        if (live == nullptr) {
            return fail(error_kind::not_found, "Railway: nothing live in " + environment_name + " to redeploy");
        }
        create_from(*live);
    }
    return {};
}

result<std::map<std::string, std::string>> memory_railway::variables(const std::string& environment_name) {
    std::lock_guard lock(mutex_);
    record(fmt::format("railway.variables {} {}", options_.service, environment_name));
    if (auto ok = known(environment_name); !ok) {
        return std::unexpected(ok.error());
    }
    const auto it = variables_.find(environment_name);
    return it == variables_.end() ? std::map<std::string, std::string>{} : it->second;
}

result<std::vector<adapters::railway_log_line>> memory_railway::deployment_logs(const std::string& deployment_id,
                                                                                const std::string& filter, int limit) {
    std::lock_guard lock(mutex_);
    record(fmt::format("railway.logs {} {}", options_.service, deployment_id));
    if (limit <= 0 || limit > adapters::railway_log_limit_max) {
        return fail(error_kind::invalid_input, "Railway: DeploymentLogs: limit must be 1..5000");
    }
    const entry* e = find(deployment_id);
    if (e == nullptr) {
        return fail(error_kind::not_found, "Railway: DeploymentLogs: Deployment not found");
    }
    std::vector<adapters::railway_log_line> lines;
    if (!e->deployment.in_progress() && !e->deployment.failed()) {
        for (const auto& message : startup_lines_) {
            lines.push_back({e->deployment.created_at, "info", message});
        }
    }
    if (const auto it = logs_.find(deployment_id); it != logs_.end()) {
        lines.insert(lines.end(), it->second.begin(), it->second.end());
    }
    return railway_logs_answer(lines, filter, limit);
}

void memory_railway::add_log(const std::string& deployment_id, adapters::railway_log_line line) {
    std::lock_guard lock(mutex_);
    logs_[deployment_id].push_back(std::move(line));
}

void memory_railway::log_at_startup(std::vector<std::string> lines) {
    std::lock_guard lock(mutex_);
    startup_lines_ = std::move(lines);
}

std::string memory_railway::add(const std::string& environment, railway_deployment deployment) {
    std::lock_guard lock(mutex_);
    if (deployment.id.empty()) {
        deployment.id = new_id("");
    }
    entries_.push_back(entry{std::move(deployment), environment});
    return entries_.back().deployment.id;
}

void memory_railway::ship(const std::string& environment, std::string id) {
    std::lock_guard lock(mutex_);
    replace_live(environment, "");
    railway_deployment d;
    d.id = std::move(id);
    d.created_at = stamp();
    d.status = "SUCCESS";
    d.can_redeploy = true;
    entries_.push_back(entry{std::move(d), environment});
}

void memory_railway::set_variable(const std::string& environment, const std::string& name, const std::string& value) {
    std::lock_guard lock(mutex_);
    variables_[environment][name] = value;
}

void memory_railway::fail_next_deploy() {
    std::lock_guard lock(mutex_);
    fail_next_ = true;
}

void memory_railway::refuse_upserts_of(std::string variable) {
    std::lock_guard lock(mutex_);
    refused_variable_ = std::move(variable);
}

std::string memory_railway::live_id(const std::string& environment) const {
    std::lock_guard lock(mutex_);
    const entry* e = live_entry(environment);
    return e == nullptr ? std::string{} : e->deployment.id;
}

std::string memory_railway::variable(const std::string& environment, const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto env = variables_.find(environment);
    if (env == variables_.end()) {
        return {};
    }
    const auto it = env->second.find(name);
    return it == env->second.end() ? std::string{} : it->second;
}

}  // namespace opsbot::fakes
