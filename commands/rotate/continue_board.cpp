#include "commands/rotate/continue_board.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace opsbot::commands {

continue_board::continue_board(const clock& clk, std::chrono::milliseconds recheck) : clk_(clk), recheck_(recheck) {}

result<void> continue_board::wait(const std::string& secret, const std::string& requester, clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    auto [it, created] = slots_.try_emplace(secret);
    if (created || it->second.ended) {
        it->second = slot{};
    }
    it->second.requester = requester;  // also for a slot stop() made before the wait began
    for (;;) {
        if (closed_) {
            slots_.erase(secret);
            return fail(error_kind::unavailable, "opsbot is stopping: the rotation stopped at its manual step");
        }
        auto found = slots_.find(secret);
        if (found == slots_.end()) {
            return fail(error_kind::conflict, fmt::format("the wait for {} was ended", secret));
        }
        if (found->second.stopped) {
            return fail(error_kind::conflict, fmt::format("stopped while it waited for `/rotate {} --continue`",
                                                          secret));
        }
        if (found->second.signalled) {
            found->second.signalled = false;
            return {};
        }
        if (clk_.now() >= deadline) {
            return fail(error_kind::timeout,
                        fmt::format("nobody ran `/rotate {} --continue` before the deadline", secret));
        }
        // The injected clock may move without telling us: re-read it now and then.
        changed_.wait_for(lock, recheck_);
    }
}

void continue_board::answer(const std::string& secret, std::string text) {
    {
        std::lock_guard lock(mutex_);
        auto it = slots_.find(secret);
        if (it == slots_.end()) {
            return;
        }
        it->second.answer = std::move(text);
    }
    changed_.notify_all();
}

void continue_board::end_wait(const std::string& secret) {
    {
        std::lock_guard lock(mutex_);
        auto it = slots_.find(secret);
        if (it != slots_.end()) {
            // A continue still waiting for its answer (or checking a held wait) takes it first; the slot goes with it.
            if (it->second.answer || it->second.checking) {
                it->second.ended = true;
            } else {
                slots_.erase(it);
            }
        }
    }
    changed_.notify_all();
}

result<std::string> continue_board::signal(const std::string& secret, const std::string& user,
                                           std::chrono::milliseconds answer_timeout) {
    std::unique_lock lock(mutex_);
    if (auto followed = follow_stored(lock, secret); !followed) {
        return std::unexpected(followed.error());
    }
    auto it = slots_.find(secret);
    if (it != slots_.end() && it->second.ended) {
        slots_.erase(it);
        it = slots_.end();
    }
    if (it == slots_.end() || it->second.stopped) {
        return fail(error_kind::not_found, fmt::format("No rotation of `{}` is waiting for `--continue`.", secret));
    }
    if (it->second.requester != user) {
        return fail(error_kind::forbidden, fmt::format("Only <@{}>, who requested this rotation of `{}`, can "
                                                       "continue it.",
                                                       it->second.requester, secret));
    }
    if (it->second.signalled || it->second.checking) {
        return fail(error_kind::conflict, fmt::format("A continue of `{}` is already being checked.", secret));
    }
    if (!it->second.held_by.empty()) {
        return continue_held(lock, secret);
    }
    it->second.signalled = true;
    it->second.answer.reset();
    changed_.notify_all();
    std::string answer;
    bool answered = changed_.wait_for(lock, answer_timeout, [&] {
        auto now = slots_.find(secret);
        if (now == slots_.end()) {
            answer = fmt::format("The rotation of `{}` went on; its progress shows on the plan message.", secret);
            return true;
        }
        if (now->second.answer) {
            answer = *now->second.answer;
            now->second.answer.reset();
            if (now->second.ended) {
                slots_.erase(now);
            }
            return true;
        }
        if (now->second.ended) {
            slots_.erase(now);
            answer = fmt::format("The rotation of `{}` went on; its progress shows on the plan message.", secret);
            return true;
        }
        return false;
    });
    if (!answered) {
        return fmt::format("The rotation of `{}` is checking your continue; its progress shows on the plan message.",
                           secret);
    }
    return answer;
}

result<void> continue_board::hold(const std::string& secret, const std::string& requester,
                                  const std::string& action) {
    std::lock_guard lock(mutex_);
    auto [it, created] = slots_.try_emplace(secret);
    // Another held wait still here is stale once the store decides (on_lookup: it allows one wait per key), unless
    // a continue of it is being checked right now.
    const bool stale = find_stored_ && !it->second.held_by.empty() && !it->second.checking;
    if (!created && !it->second.ended && it->second.held_by != action && !stale) {
        return fail(error_kind::conflict, it->second.held_by.empty() ? std::string("a run") : it->second.held_by);
    }
    it->second = slot{};
    it->second.requester = requester;
    it->second.held_by = action;
    return {};
}

void continue_board::on_continue(std::function<result<std::string>(const std::string&)> hook) {
    std::lock_guard lock(mutex_);
    continue_hook_ = std::move(hook);
}

void continue_board::on_lookup(std::function<result<std::optional<stored_waiter>>(const std::string&)> find) {
    std::lock_guard lock(mutex_);
    find_stored_ = std::move(find);
}

result<void> continue_board::follow_stored(std::unique_lock<std::mutex>& lock, const std::string& secret) {
    auto find = find_stored_;
    if (!find) {
        return {};
    }
    lock.unlock();  // a database read: not under the board's lock
    auto stored = find(secret);
    lock.lock();
    if (!stored) {
        return fail(error_kind::unavailable,
                    fmt::format("Could not read which rotation of `{}` waits ({}).", secret, stored.error().message));
    }
    auto it = slots_.find(secret);
    if (!*stored) {
        // Nothing stored: a held slot here is a wait another replica continued or stopped. A blocking wait() stays.
        if (it != slots_.end() && !it->second.held_by.empty() && !it->second.checking) {
            slots_.erase(it);
        }
        return {};
    }
    if (it == slots_.end() || it->second.ended || it->second.held_by != (*stored)->action) {
        if (it != slots_.end() && it->second.checking) {
            return {};  // a continue of the slot's wait is being checked here: signal() says so
        }
        slot held;
        held.requester = (*stored)->requester;
        held.held_by = (*stored)->action;
        slots_[secret] = std::move(held);
    }
    return {};
}

result<std::string> continue_board::continue_held(std::unique_lock<std::mutex>& lock, const std::string& secret) {
    auto it = slots_.find(secret);
    const std::string action = it->second.held_by;
    auto hook = continue_hook_;
    if (!hook) {
        return fail(error_kind::unavailable, "This bot cannot continue rotations.");
    }
    it->second.checking = true;
    lock.unlock();
    auto answer = hook(action);  // on this (the continuing person's) worker; may read platforms
    lock.lock();
    if (auto now = slots_.find(secret); now != slots_.end() && now->second.held_by == action) {
        now->second.checking = false;
        if (now->second.ended) {
            slots_.erase(now);
        }
    }
    changed_.notify_all();
    return answer;
}

void continue_board::stop(const std::string& secret) {
    {
        std::lock_guard lock(mutex_);
        auto [it, created] = slots_.try_emplace(secret);
        if (!created && it->second.ended) {
            it->second = slot{};
        }
        it->second.stopped = true;
    }
    changed_.notify_all();
}

void continue_board::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

bool continue_board::waiting(const std::string& secret) const {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(secret);
    return it != slots_.end() && !it->second.ended && !it->second.stopped;
}

}  // namespace opsbot::commands
