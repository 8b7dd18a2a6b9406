#include "commands/incident/site_down.hpp"

#include "commands/rollback/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

namespace opsbot::commands {
namespace {

/// Vercel first: its rollback is instant (runbook §8 step 1), Railway's rebuilds.
std::vector<const service_config*> in_rollback_order(const stack_config& config) {
    std::vector<const service_config*> out;
    for (const auto& [name, service] : config.services) {
        out.push_back(&service);
    }
    std::stable_sort(out.begin(), out.end(), [](const service_config* a, const service_config* b) {
        return (a->platform == platform_kind::vercel) > (b->platform == platform_kind::vercel);
    });
    return out;
}

std::string skipped_reason(const service_config& service, const error& why) {
    const std::string platform(display_name(service.platform));
    if (why.kind == error_kind::not_found || why.kind == error_kind::invalid_input) {
        return fmt::format("{}: nothing to roll back to ({})", service.name, why.message);
    }
    return fmt::format("{}: could not read {} ({})", service.name, platform, why.message);
}

}  // namespace

result<plan> plan_site_down(const stack_config& config, const platform_registry& platforms, const clock& clk) {
    if (config.services.empty()) {
        return fail(error_kind::unavailable, "No services are configured (config: services).");
    }
    plan out;
    out.family = "rollback";
    out.environment = "production";
    std::vector<std::string> rolled;
    std::vector<std::string> skipped;
    std::vector<std::string> next_steps;
    std::vector<plan_step> checks;
    std::vector<std::string> rotation_notes;
    for (const service_config* service : in_rollback_order(config)) {
        auto planned = plan_rollback(config, platforms, rollback_request{service->name, std::nullopt}, clk);
        if (!planned) {
            skipped.push_back(skipped_reason(*service, planned.error()));
            continue;
        }
        rolled.push_back(service->name);
        next_steps.push_back(fmt::format("{}: {}", service->name, planned->next_step_on_failure));
        // Which rotations each rollback keeps (issue 12 item 10), named per service.
        for (const auto& line : planned->impact) {
            rotation_notes.push_back(fmt::format("{}: {}", service->name, line));
        }
        for (auto& step : planned->steps) {
            (step.kind == "health.check" ? checks : out.steps).push_back(std::move(step));
        }
        // A web service with a /health of its own is checked too (the Railway plan already adds the API's).
        auto health = service->health_url.find("production");
        if (service->platform == platform_kind::vercel && health != service->health_url.end()) {
            checks.push_back(health_check_step(health->second));
        }
    }
    if (rolled.empty()) {
        return fail(error_kind::not_found, fmt::format("Nothing can be rolled back: {}. Runbook §5: roll back by "
                                                       "hand from the dashboards, or `git revert HEAD` and push.",
                                                       fmt::join(skipped, "; ")));
    }
    // Health checks after every rollback: the runbook verifies once the fast path is done (§8 step 2).
    for (auto& check : checks) {
        out.steps.push_back(std::move(check));
    }
    std::vector<std::string> sorted = rolled;
    std::sort(sorted.begin(), sorted.end());
    out.service = fmt::format("{}", fmt::join(sorted, "+"));
    out.title = fmt::format("Site down: roll back {} (production)", fmt::join(rolled, " and "));
    for (const auto& line : skipped) {
        out.impact.push_back("Not rolled back — " + line + ". Do that part by hand (runbook §5).");
    }
    for (const auto& name : rolled) {
        const service_config& service = config.services.at(name);
        if (service.platform == platform_kind::vercel && !service.url.empty()) {
            out.impact.push_back(fmt::format("After the steps, {} is loaded and must answer HTTP 200; the result goes "
                                             "to the thread.",
                                             service.url));
        }
    }
    for (auto& note : rotation_notes) {
        out.impact.push_back(std::move(note));
    }
    out.impact.push_back("After the rollback: investigate the root cause on the rolled-back commit, fix, test on "
                         "staging, then re-deploy (runbook §8 steps 3-4).");
    out.next_step_on_failure = fmt::format("{}", fmt::join(next_steps, " "));
    return out;
}

}  // namespace opsbot::commands
