#pragma once

#include <chrono>
#include <future>
#include <optional>

namespace opsbot::commands {

/// The answer of a concurrent call (start_call, commands/deploy_status.hpp) once it is ready, or nullopt when it
/// has not answered by `deadline`; such a call finishes in the background and its answer is dropped.
template <class T>
std::optional<T> await(std::future<T>& future, std::chrono::steady_clock::time_point deadline) {
    if (future.wait_until(deadline) != std::future_status::ready) {
        return std::nullopt;
    }
    return future.get();
}

}  // namespace opsbot::commands
