// See call_log.hpp.
#include "fakes/call_log.hpp"

namespace opsbot::fakes {

void call_log::add(std::string call) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
}

std::vector<std::string> call_log::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

int call_log::index_of(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < calls_.size(); ++i) {
        if (calls_[i].starts_with(prefix)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

size_t call_log::count(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& c : calls_) {
        n += c.starts_with(prefix) ? 1 : 0;
    }
    return n;
}

error lost_answer(const std::string& what) {
    return error{error_kind::unknown_outcome, what + ": HTTP 502 (the request may have been applied)", 502, {}};
}

}  // namespace opsbot::fakes
