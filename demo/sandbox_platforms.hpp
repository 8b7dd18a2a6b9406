#pragma once

// SANDBOX ONLY: the demo's Vercel, Railway and /health, so the whole bot can be tried with no accounts and no
// network. They are the in-memory platforms of fakes/ (the unit tests use the same ones), seeded here with a
// plausible history: realistic ids, newest-first lists, a rollback that finishes only after a few polls.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "fakes/memory_health.hpp"
#include "fakes/memory_railway.hpp"
#include "fakes/memory_vercel.hpp"

#include <map>
#include <memory>
#include <string>

namespace opsbot::demo {

/// Vercel project "web": six production deployments (the second newest an ERROR build), the newest PROMOTED, and
/// the web app's variables on production and preview. Builds and alias jobs settle at poll `polls_to_finish`.
std::unique_ptr<fakes::memory_vercel> make_sandbox_vercel(const opsbot::clock& clock, int polls_to_finish = 2);

/// Railway service "api" in "production" and "staging": in each, the live deployment and three replaced ones
/// (REMOVED, still rollbackable), and the API's variables. New deployments settle at poll `polls_to_finish`.
std::unique_ptr<fakes::memory_railway> make_sandbox_railway(const opsbot::clock& clock, int polls_to_finish = 3);

/// The three sandboxes together, as the demo wires them.
struct sandbox_platforms {
    std::unique_ptr<fakes::memory_vercel> vercel;
    std::unique_ptr<fakes::memory_railway> railway;
    std::unique_ptr<fakes::memory_health> health;
};
sandbox_platforms make_sandbox_platforms(const opsbot::clock& clock);

/// A sandbox service_config for each service (platform, names, environments) so the demo's config matches.
std::map<std::string, service_config> sandbox_service_configs();

}  // namespace opsbot::demo
