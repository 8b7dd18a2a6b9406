#pragma once
// Stateful in-memory Railway and Vercel platforms (no sockets) for the deploy and rollback steps: deployments
// that go live when polled, and a knob that loses the answer of the next mutation, after acting or without acting,
// the way a gateway's 502 does (error_kind::unknown_outcome from the HTTP client).

#include "commands/platform_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace opsbot::commands::testing {

/// What the next mutation's answer is.
enum class next_answer {
    ok,
    lost_after_acting,    ///< the platform acts, the answer is a 502
    lost_without_acting,  ///< the platform does not act, the answer is a 502
};

inline error lost_answer(const std::string& what) {
    return error{error_kind::unknown_outcome, what + ": HTTP 502 (the request may have been applied)", 502, {}};
}

class state_railway final : public adapters::railway_platform {
public:
    state_railway() {
        add("rw-old", "2026-11-20T10:00:00.000Z", "REMOVED", true);
        add("rw-prev", "2026-11-22T10:00:00.000Z", "REMOVED", true);
        add("rw-live", "2026-11-26T10:00:00.000Z", "SUCCESS", false);
    }
    void add(std::string id, std::string at, std::string status, bool can_rollback) {
        adapters::railway_deployment d;
        d.id = std::move(id);
        d.created_at = std::move(at);
        d.status = std::move(status);
        d.can_rollback = can_rollback;
        d.can_redeploy = true;
        deployments.push_back(d);
    }
    /// A deployment shipped by someone else: it is live now.
    void ship(std::string id) {
        for (auto& d : deployments) {
            if (d.status == "SUCCESS") {
                d.status = "REMOVED";
                d.can_rollback = true;
            }
        }
        add(std::move(id), fmt::format("2026-11-27T0{}:00:00.000Z", ++made_), "SUCCESS", false);
    }
    std::string live() const {
        auto sorted = newest_first();
        auto it = std::ranges::find_if(sorted, [](const auto& d) { return d.succeeded(); });
        return it == sorted.end() ? std::string{} : it->id;
    }

    result<std::vector<adapters::railway_deployment>> list_deployments(const std::string&, int) override {
        return newest_first();
    }
    result<adapters::railway_deployment> latest_deployment(const std::string&) override {
        auto sorted = newest_first();
        advance(sorted.front().id);
        return *find(sorted.front().id);
    }
    result<std::string> deployment_status(const std::string& id) override {
        advance(id);
        auto* d = find(id);
        if (d == nullptr) {
            return fail(error_kind::not_found, "no deployment " + id);
        }
        return d->status;
    }
    result<void> rollback(const std::string& id) override {
        ++mutations;
        calls.push_back("rollback " + id);
        auto done = act(id);
        if (!done) {
            return std::unexpected(done.error());
        }
        return {};
    }
    result<std::string> redeploy_deployment(const std::string& id) override {
        ++mutations;
        calls.push_back("redeploy " + id);
        return act(id);
    }
    result<std::string> redeploy_latest(const std::string&) override {
        ++mutations;
        calls.push_back("deploy");
        return act(newest_first().front().id);
    }
    result<void> upsert_variables(const std::string&, const std::map<std::string, std::string>&, bool) override {
        return fail(error_kind::unavailable, "unused");
    }

    std::vector<adapters::railway_deployment> deployments;
    next_answer answer = next_answer::ok;
    int mutations = 0;
    std::vector<std::string> calls;

private:
    std::vector<adapters::railway_deployment> newest_first() const {
        auto sorted = deployments;
        std::ranges::stable_sort(sorted, [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
        return sorted;
    }
    adapters::railway_deployment* find(const std::string& id) {
        auto it = std::ranges::find_if(deployments, [&](const auto& d) { return d.id == id; });
        return it == deployments.end() ? nullptr : &*it;
    }
    /// A new deployment is BUILDING, then live at its first poll (the replaced one becomes REMOVED).
    void advance(const std::string& id) {
        auto* d = find(id);
        if (d == nullptr || d->status != "BUILDING") {
            return;
        }
        for (auto& other : deployments) {
            if (other.status == "SUCCESS") {
                other.status = "REMOVED";
                other.can_rollback = true;
            }
        }
        d->status = "SUCCESS";
    }
    result<std::string> act(const std::string& source) {
        const next_answer now = std::exchange(answer, next_answer::ok);
        if (now == next_answer::lost_without_acting) {
            return std::unexpected(lost_answer("Railway: mutation"));
        }
        const std::string id = fmt::format("rw-new-{}-from-{}", ++made_, source);
        add(id, fmt::format("2026-11-28T0{}:00:00.000Z", made_), "BUILDING", false);
        if (now == next_answer::lost_after_acting) {
            return std::unexpected(lost_answer("Railway: mutation"));
        }
        return id;
    }
    int made_ = 0;
};

class state_vercel final : public adapters::vercel_platform {
public:
    state_vercel() {
        add("dpl_Old", 1'764'000'000'000, "1111111", false);
        add("dpl_Prev", 1'764'003'600'000, "2222222", false);
        add("dpl_A", 1'764'007'200'000, "aaaaaaa", true);
    }
    void add(std::string id, std::int64_t created, std::string sha, bool promoted, std::string state = "READY") {
        adapters::vercel_deployment d;
        d.id = std::move(id);
        d.name = "web";
        d.state = std::move(state);
        d.target = "production";
        d.created_ms = created;
        d.commit_sha = std::move(sha);
        d.ready_substate = promoted ? "PROMOTED" : "";
        deployments.push_back(d);
        if (promoted) {
            promote(deployments.back().id);
        }
    }
    /// Someone else shipped `id` (newest, promoted).
    void ship(std::string id, std::string sha) { add(std::move(id), newest() + 60'000, std::move(sha), true); }

    result<std::vector<adapters::vercel_deployment>> list_production_deployments(int) override { return deployments; }
    result<adapters::vercel_deployment> get_deployment(const std::string& id) override {
        auto* d = find(id);
        if (d == nullptr) {
            return fail(error_kind::not_found, "Vercel: not_found: Deployment not found");
        }
        if (d->state == "BUILDING") {
            d->state = "READY";
            promote(id);
        }
        return *d;
    }
    result<adapters::vercel_deployment> current_production() override {
        return adapters::pick_vercel_current_production(deployments);
    }
    result<void> request_rollback(const std::string& id) override { return alias("rollback", id); }
    result<void> request_promote(const std::string& id) override { return alias("promote", id); }
    result<adapters::vercel_alias_job> alias_job_status() override { return job; }
    result<std::string> redeploy(const std::string& from, const std::string&, const std::string&,
                                 bool latest_commit) override {
        ++mutations;
        calls.push_back("redeploy " + from + (latest_commit ? " latest" : ""));
        const next_answer now = std::exchange(answer, next_answer::ok);
        if (now == next_answer::lost_without_acting) {
            return std::unexpected(lost_answer("Vercel: POST /v13/deployments"));
        }
        auto* source = find(from);
        const std::string id = "dpl_Rebuild" + std::to_string(++made_);
        add(id, newest() + 60'000, source != nullptr ? source->commit_sha : "", false, "BUILDING");
        if (now == next_answer::lost_after_acting) {
            return std::unexpected(lost_answer("Vercel: POST /v13/deployments"));
        }
        return id;
    }
    result<void> upsert_env(const std::string&, const std::string&, const std::string&,
                            const std::vector<std::string>&) override {
        return fail(error_kind::unavailable, "unused");
    }

    std::vector<adapters::vercel_deployment> deployments;
    adapters::vercel_alias_job job;
    next_answer answer = next_answer::ok;
    int mutations = 0;
    std::vector<std::string> calls;

private:
    adapters::vercel_deployment* find(const std::string& id) {
        auto it = std::ranges::find_if(deployments, [&](const auto& d) { return d.id == id; });
        return it == deployments.end() ? nullptr : &*it;
    }
    std::int64_t newest() const {
        std::int64_t out = 0;
        for (const auto& d : deployments) {
            out = std::max(out, d.created_ms);
        }
        return out;
    }
    void promote(const std::string& id) {
        for (auto& d : deployments) {
            d.ready_substate = d.id == id ? "PROMOTED" : "";
        }
    }
    /// The alias job finishes at once (succeeded) when the platform acts.
    result<void> alias(const std::string& type, const std::string& id) {
        ++mutations;
        calls.push_back(type + " " + id);
        const next_answer now = std::exchange(answer, next_answer::ok);
        if (now == next_answer::lost_without_acting) {
            return std::unexpected(lost_answer("Vercel: POST rollback"));
        }
        auto from = current_production();
        job = adapters::vercel_alias_job{true, from ? from->id : "", id, "succeeded", ++requested_, type};
        promote(id);
        if (now == next_answer::lost_after_acting) {
            return std::unexpected(lost_answer("Vercel: POST rollback"));
        }
        return {};
    }
    int made_ = 0;
    std::int64_t requested_ = 1'764'100'000'000;
};

/// A registry with `web` on state_vercel and `api` on state_railway (no config, no health).
struct deploy_world {
    platform_registry platforms;
    state_railway* api = nullptr;
    state_vercel* web = nullptr;

    deploy_world() {
        auto railway = std::make_unique<state_railway>();
        api = railway.get();
        platforms.railway["api"] = std::move(railway);
        auto vercel = std::make_unique<state_vercel>();
        web = vercel.get();
        platforms.vercel["web"] = std::move(vercel);
    }
};

}  // namespace opsbot::commands::testing
