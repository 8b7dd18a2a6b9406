#pragma once
// What every in-memory platform keeps besides its state: the knob that loses the answer of the next mutation (the way
// a gateway's 502 does), how many mutations were asked for, the values written, and the shared call log. The
// platforms derive from it and hold its lock (mutex_) around all they do.

#include "fakes/call_log.hpp"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::fakes {

class platform_record {
public:
    /// The answer to the next mutation (rollback, promote, redeploy).
    void set_next_answer(next_answer answer);
    /// Mutations asked for, answered or not.
    int mutations() const;
    /// Every value written, in order (tests check where a secret went; the demo never reads it).
    std::vector<std::string> written() const;

protected:
    /// `platform` names it in errors ("Railway"); `log` may be null.
    platform_record(std::string platform, call_log* log) : platform_(std::move(platform)), log_(log) {}
    ~platform_record() = default;

    // Each of these is called with mutex_ held.
    /// Writes one line to the call log.
    void record(std::string call);
    /// One mutation: counts it, records `call`, and runs `act` (which returns the id of what it made) unless the next
    /// answer is lost without acting; a lost answer after acting hides its result. `what` names the request in errors.
    result<std::string> mutate(std::string call, const std::string& what,
                               const std::function<result<std::string>()>& act);
    void wrote(const std::string& value) { written_.push_back(value); }

    mutable std::mutex mutex_;

private:
    std::string platform_;
    call_log* log_;
    next_answer answer_ = next_answer::ok;
    int mutations_ = 0;
    std::vector<std::string> written_;
};

}  // namespace opsbot::fakes
