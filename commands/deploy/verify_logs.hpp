#pragma once
// The parts of runbook §7 that /deploy verify adds to its API checks (issue 15 item 6): each worker's start-up line
// searched in the live deployment's logs, and the checks no API can do, listed for a person.

#include "adapters/railway.hpp"
#include "commands/deploy/checklist.hpp"
#include "commands/plan/platform_registry.hpp"
#include "config/config.hpp"

#include <chrono>
#include <future>
#include <string>
#include <vector>

namespace opsbot::commands {

/// One `services.<name>.verify.log_lines` entry being looked for in one deployment's logs.
struct log_line_search {
    std::string service;
    std::string line;
    std::string deployment;  ///< empty when there was none to search (then `why_not` says why)
    std::string why_not;
    std::future<result<std::vector<adapters::railway_log_line>>> call;
};

/// The Railway query that finds `line`: the text as one quoted phrase (config/services.cpp refuses `"` in it).
std::string log_line_filter(const std::string& line);

/// Starts one concurrent deploymentLogs search per log line of `service` in `deployment_id` (its live deployment
/// in the environment verified; empty with `why_not` when it has none). Nothing when it has no log lines.
std::vector<log_line_search> start_log_line_searches(const service_config& service, const platform_registry& platforms,
                                                     const std::string& deployment_id, const std::string& why_not);

/// Adds the verdict of one search: ✅ found (when), ❌ missing from the deployment's logs, ⚠️ when the logs
/// could not be read (no live deployment, no adapter, an error, no answer by `deadline`).
void add_log_line(checklist& list, log_line_search& search, std::chrono::steady_clock::time_point deadline,
                  std::chrono::milliseconds waited);

/// Runbook §7's checks no API can do, as "Manual: …" items: a test WhatsApp message when webhooks changed, a Prisma
/// Studio spot-check of the data a migration touched (with the database URL variable of `environment` when known).
void add_manual_checks(checklist& list, const stack_config& config, const std::string& environment);

}  // namespace opsbot::commands
