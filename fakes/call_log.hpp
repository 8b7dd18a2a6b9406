#pragma once
// What the in-memory platforms were asked, in order, across platforms (one log may be shared by several fakes), and
// the knob that loses the answer of a mutation the way a gateway's 502 does. Values are never written here.

#include "core/error.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace opsbot::fakes {

/// One line per call worth checking: "railway.upsert api production skip=true", "vercel.redeploy dpl_A",
/// "health https://…", "provider.revoke key_old1". Reads of deployment lists and statuses are not written.
class call_log {
public:
    void add(std::string call);
    std::vector<std::string> calls() const;
    /// Index of the first call starting with `prefix`; -1 when none.
    int index_of(const std::string& prefix) const;
    /// How many calls start with `prefix`.
    size_t count(const std::string& prefix) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> calls_;
};

/// What the answer to the next mutation is.
enum class next_answer {
    ok,
    lost_after_acting,    ///< the platform acts, the answer is a 502
    lost_without_acting,  ///< the platform does not act, the answer is a 502
};

/// The error a lost answer gives (error_kind::unknown_outcome, as the HTTP client reports a 502 to a mutation).
error lost_answer(const std::string& what);

}  // namespace opsbot::fakes
