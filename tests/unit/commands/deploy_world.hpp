#pragma once
// The deploy and rollback steps' world: the in-memory Railway and Vercel of fakes/ (the same ones `opsbot demo`
// runs on), seeded with a short fixed history so tests can name deployments, settling at their first poll, and
// writing their mutations to one log. fakes::next_answer loses the answer of the next mutation, after acting or
// without acting, the way a gateway's 502 does (error_kind::unknown_outcome from the HTTP client).

#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "fakes/memory_railway.hpp"
#include "fakes/memory_vercel.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace opsbot::commands::testing {

using fakes::next_answer;

/// A registry with `api` on Railway (production: rw-old, rw-prev, then rw-live, live; new deployments are
/// "rw-new-<n>-from-<source>") and `web` on Vercel (dpl_Old, dpl_Prev, then dpl_A, promoted; rebuilds are
/// "dpl_Rebuild<n>"). No config, no health.
struct deploy_world {
    manual_clock clk{opsbot::clock::time_point{std::chrono::seconds{1'795'824'000}}};  // 2026-11-28T00:00:00Z
    fakes::call_log log;
    platform_registry platforms;
    fakes::memory_railway* api = nullptr;
    fakes::memory_vercel* web = nullptr;

    deploy_world() {
        auto railway = std::make_unique<fakes::memory_railway>(
            clk, fakes::memory_railway::options{"api", {"production"}, 1, "rw-new"}, &log);
        api = railway.get();
        railway_deployment("rw-old", "2026-11-20T10:00:00.000Z", "REMOVED");
        railway_deployment("rw-prev", "2026-11-22T10:00:00.000Z", "REMOVED");
        railway_deployment("rw-live", "2026-11-26T10:00:00.000Z", "SUCCESS");
        platforms.deploy["api"] = std::move(railway);

        auto vercel = std::make_unique<fakes::memory_vercel>(clk, fakes::memory_vercel::options{1, "dpl_Rebuild"},
                                                             &log);
        web = vercel.get();
        vercel_deployment("dpl_Old", 1'764'000'000'000, "1111111", false);
        vercel_deployment("dpl_Prev", 1'764'003'600'000, "2222222", false);
        vercel_deployment("dpl_A", 1'764'007'200'000, "aaaaaaa", true);
        platforms.deploy["web"] = std::move(vercel);
    }

private:
    void railway_deployment(std::string id, std::string at, std::string status) {
        adapters::railway_deployment d;
        d.id = std::move(id);
        d.created_at = std::move(at);
        d.can_rollback = status == "REMOVED";
        d.status = std::move(status);
        d.can_redeploy = true;
        api->add("production", d);
    }
    void vercel_deployment(std::string id, std::int64_t created, std::string sha, bool promoted) {
        adapters::vercel_deployment d;
        d.id = std::move(id);
        d.name = "web";
        d.state = "READY";
        d.target = "production";
        d.created_ms = created;
        d.commit_sha = std::move(sha);
        d.ready_substate = promoted ? "PROMOTED" : "";
        web->add(d);
    }
};

}  // namespace opsbot::commands::testing
