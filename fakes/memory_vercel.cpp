// In-memory Vercel. See memory_vercel.hpp.
#include "fakes/memory_vercel.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace opsbot::fakes {

using adapters::vercel_alias_job;
using adapters::vercel_deployment;

namespace {

std::string random_chars(std::mt19937_64& random, size_t n, std::string_view alphabet) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += alphabet[random() % alphabet.size()];
    }
    return out;
}

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

memory_vercel::memory_vercel(const opsbot::clock& clock, options opts, call_log* log)
    : platform_record("Vercel", log), clock_(clock), options_(std::move(opts)) {
    options_.polls_to_finish = std::max(1, options_.polls_to_finish);
}

std::string memory_vercel::new_id() {
    ++made_;
    if (!options_.new_id_prefix.empty()) {
        return options_.new_id_prefix + std::to_string(made_);
    }
    return "dpl_" + random_chars(random_, 28, base62);
}

std::int64_t memory_vercel::stamp_ms() {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
    return now + ++stamped_;
}

vercel_deployment* memory_vercel::find(const std::string& id) {
    const auto it = std::ranges::find_if(deployments_, [&](const auto& d) { return d.id == id; });
    return it == deployments_.end() ? nullptr : &*it;
}

void memory_vercel::promote(const std::string& id) {
    for (auto& d : deployments_) {
        d.ready_substate = d.id == id ? "PROMOTED" : "";
    }
}

result<std::vector<vercel_deployment>> memory_vercel::list_production_deployments(int limit) {
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

result<vercel_deployment> memory_vercel::get_deployment(const std::string& id) {
    std::lock_guard lock(mutex_);
    vercel_deployment* d = find(id);
    if (d == nullptr) {
        return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
    }
    // A build goes READY after a few polls, like GET /v13/deployments/{id} (docs/platforms.md §1.2); a production
    // build then serves production.
    if (d->state == "BUILDING" && ++build_polls_[id] >= options_.polls_to_finish) {
        const auto end = build_ends_.find(id);
        d->state = end == build_ends_.end() ? "READY" : end->second;
        if (d->state == "READY" && d->production()) {
            promote(id);
        }
    }
    return *d;
}

result<vercel_deployment> memory_vercel::current_production() {
    std::lock_guard lock(mutex_);
    return adapters::pick_vercel_current_production(deployments_);
}

result<void> memory_vercel::request_rollback(const std::string& deployment_id) {
    return start_alias_job(deployment_id, "rollback");
}

result<void> memory_vercel::request_promote(const std::string& deployment_id) {
    return start_alias_job(deployment_id, "promote");
}

result<void> memory_vercel::start_alias_job(const std::string& id, const std::string& type) {
    std::lock_guard lock(mutex_);
    auto done = mutate(fmt::format("vercel.{} {}", type, id), "POST " + type, [&]() -> result<std::string> {
        const vercel_deployment* target = find(id);
        if (target == nullptr) {
            return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
        }
        if (!target->ready() || !target->production()) {
            return fail(error_kind::http_status,
                        "Vercel: bad_request: Deployment is not a READY production deployment", 400);
        }
        const auto from = adapters::pick_vercel_current_production(deployments_);
        job_ = vercel_alias_job{true, from ? from->id : "", id, "pending", stamp_ms(), type};
        job_polls_ = 0;
        spdlog::info("[sandbox] Vercel {} to {} requested", type, id);
        return id;
    });
    if (!done) {
        return std::unexpected(done.error());
    }
    return {};
}

result<vercel_alias_job> memory_vercel::alias_job_status() {
    std::lock_guard lock(mutex_);
    if (job_.present && !job_.finished()) {
        if (++job_polls_ >= options_.polls_to_finish) {
            job_.job_status = std::exchange(fail_next_job_, false) ? "failed" : "succeeded";
            if (job_.job_status == "succeeded") {
                promote(job_.to_deployment_id);
            }
        } else {
            job_.job_status = "in-progress";
        }
    }
    return job_;
}

result<std::string> memory_vercel::redeploy(const std::string& from_deployment_id, const std::string& name,
                                            const std::string& target, bool latest_commit) {
    std::lock_guard lock(mutex_);
    return mutate(fmt::format("vercel.redeploy {}{}", from_deployment_id, latest_commit ? " latest_commit" : ""),
                  "POST /v13/deployments", [&]() -> result<std::string> {
                      const vercel_deployment* source = find(from_deployment_id);
                      if (source == nullptr) {
                          return fail(error_kind::not_found, "Vercel: not_found: Deployment not found", 404);
                      }
                      vercel_deployment d = *source;
                      if (latest_commit) {
                          // The newest commit of the branch is the one its newest deployment built.
                          const auto newest = std::ranges::find_if(
                              deployments_, [&](const auto& other) { return other.commit_ref == d.commit_ref; });
                          d.commit_sha = newest->commit_sha;
                      }
                      d.id = new_id();
                      d.name = name;
                      d.target = target;
                      d.state = "BUILDING";
                      d.ready_substate.clear();
                      if (next_build_end_ != "READY") {
                          build_ends_[d.id] = std::exchange(next_build_end_, "READY");
                      }
                      d.created_ms = stamp_ms();
                      deployments_.insert(deployments_.begin(), d);
                      return d.id;
                  });
}

void memory_vercel::end_next_build(std::string state) {
    std::lock_guard lock(mutex_);
    next_build_end_ = std::move(state);
}

result<void> memory_vercel::upsert_env(const std::string& key, const std::string& value, const std::string& type,
                                       const std::vector<std::string>& targets) {
    std::lock_guard lock(mutex_);
    record(fmt::format("vercel.upsert {} {} {}", key, type, fmt::join(targets, ",")));
    if (key.empty() || targets.empty()) {
        return fail(error_kind::invalid_input, "Vercel: bad_request: an env variable needs a key and a target", 400);
    }
    if (refuse_upserts_) {
        return fail(error_kind::http_status, "Vercel: internal_server_error: the variable was not saved", 500);
    }
    store_env(key, value, type, targets);
    wrote(value);
    spdlog::info("[sandbox] Vercel env {} saved for {} target(s)", key, targets.size());
    return {};
}

void memory_vercel::store_env(const std::string& key, const std::string& value, const std::string& type,
                              const std::vector<std::string>& targets) {
    for (const auto& target : targets) {
        auto& entry = env_[{key, target}];
        if (entry.id.empty()) {
            entry.id = "env_" + random_chars(random_, 16, base62);
        }
        entry.value = value;
        entry.type = type;
    }
}

void memory_vercel::set_env(const std::string& key, const std::string& value, const std::string& type,
                            const std::vector<std::string>& targets) {
    std::lock_guard lock(mutex_);
    store_env(key, value, type, targets);
}

result<std::vector<adapters::vercel_env_var>> memory_vercel::list_env(const std::string& target) {
    std::lock_guard lock(mutex_);
    std::vector<adapters::vercel_env_var> out;
    for (const auto& [where, entry] : env_) {
        if (where.second == target) {
            out.push_back({entry.id, where.first, entry.type, {where.second}});
        }
    }
    return out;
}

std::string memory_vercel::add(vercel_deployment deployment) {
    std::lock_guard lock(mutex_);
    if (deployment.id.empty()) {
        deployment.id = "dpl_" + random_chars(random_, 28, base62);
    }
    const bool promoted = deployment.ready_substate == "PROMOTED";
    // Newest first, as Vercel lists them.
    const auto at =
        std::ranges::find_if(deployments_, [&](const auto& d) { return d.created_ms < deployment.created_ms; });
    const std::string id = deployments_.insert(at, std::move(deployment))->id;
    if (promoted) {
        promote(id);
    }
    return id;
}

void memory_vercel::ship(std::string id, std::string sha) {
    vercel_deployment d;
    d.id = std::move(id);
    d.name = "web";
    d.state = "READY";
    d.target = "production";
    d.commit_sha = std::move(sha);
    d.ready_substate = "PROMOTED";
    {
        std::lock_guard lock(mutex_);
        d.created_ms = stamp_ms();
    }
    add(std::move(d));
}

void memory_vercel::fail_next_alias_job() {
    std::lock_guard lock(mutex_);
    fail_next_job_ = true;
}

void memory_vercel::refuse_upserts() {
    std::lock_guard lock(mutex_);
    refuse_upserts_ = true;
}

std::vector<std::string> memory_vercel::env_names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [where, entry] : env_) {
        if (names.empty() || names.back() != where.first) {
            names.push_back(where.first);
        }
    }
    return names;
}

}  // namespace opsbot::fakes
