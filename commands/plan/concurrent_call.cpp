#include "commands/plan/concurrent_call.hpp"

namespace opsbot::commands {
namespace {

/// Bounds the calls of commands run outside a runtime (tests); joined at exit.
constexpr size_t process_pool_threads = 32;

thread_pool& process_pool() {
    static thread_pool pool(process_pool_threads);
    return pool;
}

thread_local thread_pool* current = nullptr;

}  // namespace

thread_pool& current_call_pool() { return current != nullptr ? *current : process_pool(); }

void use_call_pool(thread_pool* pool) { current = pool; }

bool drain_background_calls(std::chrono::milliseconds limit) { return process_pool().wait_idle_for(limit); }

}  // namespace opsbot::commands
