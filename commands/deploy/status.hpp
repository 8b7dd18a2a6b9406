#pragma once

#include "adapters/prisma_migrations.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"
#include "core/error.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>

namespace opsbot::commands {

/// How long the deploy commands wait for each outside system. A system that has not answered by then is
/// shown as such ("⚠️ Vercel did not answer within 2 s"); the others still show.
struct deploy_timeouts {
    std::chrono::milliseconds status{2000};     ///< `/deploy status` (the whole answer stays under 3 s)
    std::chrono::milliseconds checklist{8000};  ///< `/deploy check` and `/deploy verify`
};

namespace detail {
void background_call_started();
void background_call_finished();
}  // namespace detail

/// Runs `fn` on its own thread and returns its future at once. Unlike std::async, dropping the future never
/// blocks: a call that outlives its caller's deadline finishes in the background (the HTTP client's own
/// timeout bounds it). The adapters `fn` uses must outlive the call: see drain_background_calls.
template <class Fn>
std::future<std::invoke_result_t<Fn>> start_call(Fn fn) {
    using value = std::invoke_result_t<Fn>;
    auto promise = std::make_shared<std::promise<value>>();
    auto future = promise->get_future();
    detail::background_call_started();
    std::thread([promise, fn = std::move(fn)]() mutable {
        try {
            promise->set_value(fn());
        } catch (...) {
            promise->set_exception(std::current_exception());
        }
        detail::background_call_finished();
    }).detach();
    return future;
}

/// Waits until every call started by start_call has returned; false after `limit`. The bot calls it before
/// destroying its platform registry; tests call it before their fakes go away.
bool drain_background_calls(std::chrono::milliseconds limit);

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
