#pragma once

#include <functional>
#include <memory>

namespace opsbot::bot {

/// Turns SIGINT / SIGTERM into a call of `on_signal` on a dedicated thread (sigwait), so the
/// handler may lock, log and call stop() safely. Construct before starting other threads: the
/// signals are blocked in the constructing thread and inherited by threads created after it.
class signal_watcher {
public:
    explicit signal_watcher(std::function<void(int)> on_signal);
    ~signal_watcher();
    signal_watcher(const signal_watcher&) = delete;
    signal_watcher& operator=(const signal_watcher&) = delete;

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace opsbot::bot
