#include "bot/action_flow_controls.hpp"

namespace opsbot::bot {

bool run_controls::request_stop(const std::string& action, const std::string& user) {
    std::lock_guard lock(mutex_);
    return stops_.try_emplace(action, user).second;
}

std::optional<std::string> run_controls::stop_requested(const std::string& action) const {
    std::lock_guard lock(mutex_);
    auto it = stops_.find(action);
    if (it == stops_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void run_controls::forget(const std::string& action) {
    std::lock_guard lock(mutex_);
    stops_.erase(action);
}

}  // namespace opsbot::bot
