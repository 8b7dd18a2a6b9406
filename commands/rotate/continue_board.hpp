#pragma once

#include "commands/plan/run_state.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace opsbot::commands {

/// Where a rotation waiting at a manual step (`manual.wait`) meets `/rotate SECRET --continue` (issue #6).
/// Owned by the bot runtime; thread-safe. One waiter per secret. The waiting step checks what the human did
/// and answers the continue with a text the handler shows to the requester.
class continue_board final : public person_wait_board {
public:
    /// `recheck`: how often a waiter re-reads the injected clock while no signal comes (a manual clock in
    /// tests moves without notifying anyone).
    explicit continue_board(const clock& clk, std::chrono::milliseconds recheck = std::chrono::seconds{1});

    /// Registers `requester` as the one allowed to continue `secret` and blocks until they do (returns) or
    /// `deadline` (by the injected clock) passes (error_kind::timeout). The waiter stays registered until
    /// end_wait(): call answer() after each wake, then wait() again or end_wait(). (Two rotations of one secret
    /// never wait at once: they claim the same service lock.)
    result<void> wait(const std::string& secret, const std::string& requester, clock::time_point deadline);

    /// The waiter's verdict on the continue that woke it; the signaller gets `text`.
    void answer(const std::string& secret, std::string text);

    /// Ends the registration of `secret` (the step finished, failed or timed out).
    void end_wait(const std::string& secret) override;

    /// `/rotate SECRET --continue` by `user`: not_found when no rotation of SECRET waits, forbidden when `user`
    /// is not its requester; otherwise wakes the waiter and returns its answer (or a note if it does not answer
    /// within `answer_timeout`, real time).
    result<std::string> signal(const std::string& secret, const std::string& user,
                               std::chrono::milliseconds answer_timeout = std::chrono::seconds{60});

    /// The Stop button (issue 12): the wait for `secret` returns at once with error_kind::conflict ("stopped"),
    /// and so does a wait for it that starts before end_wait(secret) — Stop may be pressed just before the step
    /// begins to wait. The caller ends it with end_wait(secret) once the step is over.
    void stop(const std::string& secret) override;

    /// The bot is stopping: every wait returns at once (error_kind::unavailable) and no new wait starts, so
    /// shutdown does not sit out a 4 h manual step. The rotation then fails with its way back.
    void close();

    /// The durable wait (docs/design.md "Actions and steps"): no thread blocks; a continue by `requester` runs the
    /// continue hook with `action` on the continuing person's thread, one continue at a time.
    result<void> hold(const std::string& secret, const std::string& requester, const std::string& action) override;
    void on_continue(std::function<result<std::string>(const std::string& action)> hook) override;
    /// With a lookup set, the stored wait decides a continue of a held wait: one stored by another replica (or
    /// taken over from one) is continued here, and a slot this process remembers for a wait that another replica
    /// has since continued or stopped is dropped.
    void on_lookup(std::function<result<std::optional<stored_waiter>>(const std::string& key)> find) override;

    /// True while a rotation of `secret` waits (tests, help texts).
    bool waiting(const std::string& secret) const;

private:
    /// Makes the slot of `secret` agree with the stored wait (on_lookup); an error when it cannot be read.
    result<void> follow_stored(std::unique_lock<std::mutex>& lock, const std::string& secret);
    /// signal() for a held wait: runs the continue hook without the board's lock.
    result<std::string> continue_held(std::unique_lock<std::mutex>& lock, const std::string& secret);

    struct slot {
        std::string requester;
        bool signalled = false;
        std::optional<std::string> answer;
        bool ended = false;  ///< end_wait() came while an answer was still unread
        bool stopped = false;  ///< stop(): the wait ends at once
        std::string held_by;   ///< hold(): the action whose stored wait this is (no thread waits)
        bool checking = false; ///< a continue of a held wait is being checked
    };

    const clock& clk_;
    std::chrono::milliseconds recheck_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, slot> slots_;
    bool closed_ = false;
    std::function<result<std::string>(const std::string&)> continue_hook_;
    std::function<result<std::optional<stored_waiter>>(const std::string&)> find_stored_;
};

}  // namespace opsbot::commands
