#include "bot/action_flow_controls.hpp"

namespace opsbot::bot {

run_controls::stop_request run_controls::request_stop(const std::string& action, const std::string& user) {
    std::lock_guard lock(mutex_);
    stop_request out;
    out.first = stops_.try_emplace(action, user).second;
    if (auto waiting = waiting_.find(action); waiting != waiting_.end()) {
        out.waiting_on = waiting->second;
    }
    return out;
}

std::optional<std::string> run_controls::stop_requested(const std::string& action) const {
    std::lock_guard lock(mutex_);
    auto it = stops_.find(action);
    if (it == stops_.end()) {
        return std::nullopt;
    }
    return it->second;
}

run_controls::wait_start run_controls::begin_wait(const std::string& action, const std::string& secret,
                                                  std::string& other) {
    std::lock_guard lock(mutex_);
    if (stops_.contains(action)) {
        return wait_start::stopped;
    }
    for (const auto& [waiter, awaited] : waiting_) {
        if (awaited == secret && waiter != action) {
            other = waiter;
            return wait_start::busy;
        }
    }
    waiting_[action] = secret;
    return wait_start::ok;
}

void run_controls::end_wait(const std::string& action) {
    std::lock_guard lock(mutex_);
    waiting_.erase(action);
}

void run_controls::forget(const std::string& action) {
    std::lock_guard lock(mutex_);
    stops_.erase(action);
    waiting_.erase(action);
}

}  // namespace opsbot::bot
