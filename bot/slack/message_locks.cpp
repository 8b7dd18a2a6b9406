#include "bot/slack/message_locks.hpp"

namespace opsbot::bot {

message_locks::guard::guard(message_locks& owner, std::string key) : owner_(owner), key_(std::move(key)) {
    std::unique_lock lock(owner_.mutex_);
    auto& e = owner_.entries_[key_];
    ++e.users;
    // std::map references stay valid while other keys come and go.
    owner_.released_.wait(lock, [&e] { return !e.held; });
    e.held = true;
}

message_locks::guard::~guard() {
    {
        std::lock_guard lock(owner_.mutex_);
        auto it = owner_.entries_.find(key_);
        it->second.held = false;
        if (--it->second.users == 0) {
            owner_.entries_.erase(it);
        }
    }
    owner_.released_.notify_all();
}

size_t message_locks::keys_in_use() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace opsbot::bot
