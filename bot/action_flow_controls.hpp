#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace opsbot::bot {

/// What the Stop button and the executor share about running actions, in memory (one bot per database, so one
/// executor per action). Thread-safe: clicks and runs are on different workers.
class run_controls {
public:
    struct stop_request {
        bool first = false;                     ///< false: a stop of this action was already asked for
        std::optional<std::string> waiting_on;  ///< the secret its step waits on for a person, to wake it
    };

    /// `user` asks `action` to stop before its next step.
    stop_request request_stop(const std::string& action, const std::string& user);

    /// Who asked `action` to stop; nullopt when nobody did.
    std::optional<std::string> stop_requested(const std::string& action) const;

    enum class wait_start { ok, stopped, busy };
    /// The executor is about to wait for a person on `secret` for `action`. `stopped`: a stop was asked first;
    /// `busy`: another action already waits on that secret (`other` names it) — the waiting action holds no lock
    /// (issue 12), so only this keeps two waits for one secret apart. Decided under one lock with request_stop(),
    /// so a Stop either sees the wait (and wakes it) or is seen here.
    wait_start begin_wait(const std::string& action, const std::string& secret, std::string& other);

    /// The wait of `action` is over.
    void end_wait(const std::string& action);

    /// The run of `action` ended: forgets its stop request.
    void forget(const std::string& action);

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> stops_;    ///< action -> who asked it to stop
    std::map<std::string, std::string> waiting_;  ///< action -> the secret it waits on for a person
};

}  // namespace opsbot::bot
