// See platform_record.hpp.
#include "fakes/platform_record.hpp"

#include <utility>

namespace opsbot::fakes {

void platform_record::set_next_answer(next_answer answer) {
    std::lock_guard lock(mutex_);
    answer_ = answer;
}

int platform_record::mutations() const {
    std::lock_guard lock(mutex_);
    return mutations_;
}

std::vector<std::string> platform_record::written() const {
    std::lock_guard lock(mutex_);
    return written_;
}

void platform_record::record(std::string call) {
    if (log_ != nullptr) {
        log_->add(std::move(call));
    }
}

result<std::string> platform_record::mutate(std::string call, const std::string& what,
                                            const std::function<result<std::string>()>& act) {
    ++mutations_;
    record(std::move(call));
    const next_answer now = std::exchange(answer_, next_answer::ok);
    if (now == next_answer::lost_without_acting) {
        return std::unexpected(lost_answer(platform_ + ": " + what));
    }
    auto done = act();
    if (done && now == next_answer::lost_after_acting) {
        return std::unexpected(lost_answer(platform_ + ": " + what));
    }
    return done;
}

}  // namespace opsbot::fakes
