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
    /// `user` asks `action` to stop before its next step; false when a stop of it was already asked for.
    bool request_stop(const std::string& action, const std::string& user);

    /// Who asked `action` to stop; nullopt when nobody did.
    std::optional<std::string> stop_requested(const std::string& action) const;

    /// The run of `action` ended: forgets its stop request.
    void forget(const std::string& action);

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> stops_;    ///< action -> who asked it to stop
};

}  // namespace opsbot::bot
