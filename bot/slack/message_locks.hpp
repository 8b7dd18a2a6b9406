#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

namespace opsbot::bot {

/// One lock per Slack message (keyed by the action it shows): updates of one message keep their order, while
/// updates of different messages go on at once, so one slow chat.update never holds up another action's message
/// (docs/design.md "Runtime model"). A key's entry lives only while someone holds or waits for it.
class message_locks {
public:
    class guard {
    public:
        guard(message_locks& owner, std::string key);
        ~guard();
        guard(const guard&) = delete;
        guard& operator=(const guard&) = delete;

    private:
        message_locks& owner_;
        std::string key_;
    };

    /// Blocks while another thread holds `key`'s lock; the lock is held until the guard goes.
    [[nodiscard]] guard lock(std::string key) { return guard(*this, std::move(key)); }

    /// Keys held or waited for now (tests: entries do not pile up).
    size_t keys_in_use() const;

private:
    struct entry {
        bool held = false;
        size_t users = 0;  ///< the holder and the waiters
    };
    mutable std::mutex mutex_;
    std::condition_variable released_;
    std::map<std::string, entry> entries_;
};

}  // namespace opsbot::bot
