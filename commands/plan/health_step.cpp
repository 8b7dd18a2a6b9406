// "health.check": the step every plan that changes a running service ends with (runbook §7).
#include "commands/plan/health_step.hpp"

#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

result<std::string> health_check(const health_check_params& params, const plan_step& step,
                                 const step_environment& env) {
    if (!env.platforms.health) {
        return fail(error_kind::unavailable, "no health checker configured");
    }
    auto report = env.platforms.health->check(
        params.url, std::chrono::duration_cast<std::chrono::milliseconds>(step.timeout));
    if (!report) {
        return std::unexpected(report.error());
    }
    if (!report->ok) {
        return fail(error_kind::conflict, fmt::format("{} is unhealthy: {}", params.url, report->reason));
    }
    return fmt::format("{} is healthy (status {}, db {}, redis {})", params.url, report->status,
                       report->db.empty() ? "n/a" : report->db, report->redis.empty() ? "n/a" : report->redis);
}

}  // namespace

step_kind health_check_kind() {
    return typed_step<health_check_params>("health.check", step_role::reading, true, &health_check);
}

}  // namespace opsbot::commands
