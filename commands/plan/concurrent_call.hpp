#pragma once

#include "core/thread_pool.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <type_traits>

namespace opsbot::commands {

/// Where concurrent platform calls run (docs/design.md "Runtime model": bounded pools, no detached threads). The
/// runtime owns one pool and makes it current on each of its worker threads (use_call_pool), so a call a command
/// started ends, at the latest, when the runtime shuts that pool down, before the adapters it uses go. Elsewhere
/// (a test calling a command directly) calls go to a process-wide pool: see drain_background_calls.
thread_pool& current_call_pool();
/// Makes `pool` the current call pool of the calling thread; null: the process-wide one.
void use_call_pool(thread_pool* pool);

/// Runs `fn` on the current call pool and returns its future at once. Dropping the future never blocks: a call
/// that outlives its caller's deadline finishes on the pool (the HTTP client's own deadline bounds it). The
/// adapters `fn` uses must outlive the pool's work: the runtime shuts its pool down first; tests drain.
template <class Fn>
std::future<std::invoke_result_t<Fn>> start_call(Fn fn) {
    using value = std::invoke_result_t<Fn>;
    auto task = std::make_shared<std::packaged_task<value()>>(std::move(fn));
    auto future = task->get_future();
    current_call_pool().post([task] { (*task)(); });
    return future;
}

/// The answer of a concurrent call (start_call) once it is ready, or nullopt when it has not answered by
/// `deadline` (or never will: its pool shut down before running it); a late call's answer is dropped.
template <class T>
std::optional<T> await(std::future<T>& future, std::chrono::steady_clock::time_point deadline) {
    if (future.wait_until(deadline) != std::future_status::ready) {
        return std::nullopt;
    }
    try {
        return future.get();
    } catch (const std::future_error&) {
        return std::nullopt;  // broken promise: dropped by a pool shutting down
    }
}

/// Waits until every call started on the process-wide pool has returned; false after `limit`. Tests call it
/// before their fakes go away.
bool drain_background_calls(std::chrono::milliseconds limit);

}  // namespace opsbot::commands
