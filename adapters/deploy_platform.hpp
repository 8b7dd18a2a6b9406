#pragma once

// What every deploy platform offers, in the platform's neutral words (issue 13 item 2; docs/design.md "Layers").
//
// Design: ONE abstract interface per service, held in ONE registry map (commands::platform_registry::deploy).
// Code that only reads — /deploy status, the checklists, the environment-variable names of /deploy check — calls
// it without naming a platform. What only one platform can do (Vercel alias jobs, env upsert, rebuilds; Railway
// rollback/redeploy, variables) stays on vercel_platform / railway_platform, reached from the same entry through
// as_vercel() / as_railway() (null for any other platform), so a step kind that exists for one platform asks for
// that platform in one line and a new platform is one new class, not one new map and a branch in every caller.
//
// vercel_platform and railway_platform derive from this interface and implement it ONCE, on top of their own
// virtual calls (adapters/vercel_deploy.cpp, adapters/railway_deploy.cpp): the real adapters, the in-memory
// fakes (fakes/) and the demo's sandboxes (demo/) all answer it the same way without a line of their own.

#include "config/vocabulary.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace opsbot::adapters {

class vercel_platform;
class railway_platform;

/// One deployment of a service, whatever its platform.
struct platform_deployment {
    std::string id;              ///< "dpl_…" (Vercel), a UUID (Railway)
    std::string commit_sha;      ///< full sha; empty when the platform does not know it
    std::string commit_message;  ///< empty when the platform does not say
    std::string branch;          ///< the commit's branch; may be empty
    std::string status;          ///< the platform's own word: READY, BUILDING, SUCCESS, REMOVED, …
    std::optional<clock::time_point> created;  ///< nullopt when the platform's time could not be read
    bool live = false;           ///< it serves the environment now (what live() answers)
};

/// A deploy platform's view of one configured service.
class deploy_platform {
public:
    virtual ~deploy_platform() = default;

    /// Which platform this is (the config's vocabulary): the name people read ("Vercel") comes from it.
    virtual platform_kind kind() const = 0;

    /// The deployment serving `environment` now. not_found when nothing serves (the message says why);
    /// unavailable for an environment this platform does not deploy through opsbot (Vercel: production only).
    virtual result<platform_deployment> live(const std::string& environment) = 0;

    /// The newest deployments of `environment`, newest first, at most `limit`.
    virtual result<std::vector<platform_deployment>> recent(const std::string& environment, int limit) = 0;

    /// The NAMES of the service's environment variables in `environment` (never the values; a platform that
    /// answers values has them wiped before this returns). docs/platforms.md §1.5 (Vercel), §2.2 (Railway).
    virtual result<std::set<std::string>> variable_names(const std::string& environment) = 0;

    /// The Vercel-only operations of this service, or null when it is not on Vercel.
    virtual vercel_platform* as_vercel() { return nullptr; }
    /// The Railway-only operations of this service, or null when it is not on Railway.
    virtual railway_platform* as_railway() { return nullptr; }
};

}  // namespace opsbot::adapters
