#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace opsbot::testing {

/// Polls `predicate` every `step` until it holds (true) or `timeout` passed (false): for state another thread or
/// process changes with nothing to wait on (a child's exit, another process's database). The step is a re-check
/// interval, not a synchronisation assumption.
inline bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds step = std::chrono::milliseconds(2)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(step);
    }
    return true;
}

}  // namespace opsbot::testing
