#pragma once

#include "adapters/prisma_migrations.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "core/error.hpp"

#include <chrono>
#include <string>

namespace opsbot::commands {

/// How long the deploy commands wait for each outside system. A system that has not answered by then is
/// shown as such ("⚠️ Vercel did not answer within 2 s"); the others still show.
struct deploy_timeouts {
    std::chrono::milliseconds status{2000};     ///< `/deploy status` (the whole answer stays under 3 s)
    std::chrono::milliseconds checklist{8000};  ///< `/deploy check` and `/deploy verify`
};

/// "Vercel did not answer within 2 s"
std::string no_answer_text(std::string_view system, std::chrono::milliseconds waited);

/// The deployment serving an environment of one service, whatever its platform.
struct live_deployment {
    std::string service;
    std::string platform;  ///< "Vercel" | "Railway"
    std::string id;
    std::string commit;  ///< full sha, may be empty
    std::string state;   ///< READY, SUCCESS, …
    clock::time_point created;
    std::string age;  ///< "2 h ago"
};

/// Asks the service's platform which deployment serves `environment` (Vercel: production only).
result<live_deployment> fetch_live(const service_config& service, const platform_registry& platforms,
                                   const std::string& environment, const clock& clk);

/// `_prisma_migrations` of one environment's database against the migration folders; unavailable when
/// `migrations`/`databases` are not configured.
result<adapters::prisma_status> fetch_migrations(const platform_registry& platforms, const std::string& environment);

/// `/deploy status`: per service the live production deployment (id, commit, age, state) and its /health,
/// pending production migrations, active locks. Platform calls run concurrently, each bounded by
/// timeouts.status. Blocking: call on a worker.
reply deploy_status_reply(const parsed_command& command, const command_context& context,
                          const deploy_timeouts& timeouts);
/// The handler form, with the default timeouts.
reply deploy_status_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
