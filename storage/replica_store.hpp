#pragma once
// Replicas (issue 14 item 2): several `opsbot run` processes share one database. Each registers a row with a lease
// and renews it by heartbeat; an action it approves or starts is owned by it (actions.owner, set by the state
// transition: database::set_replica). When an owner's lease runs out, another replica takes its work over, in one
// write transaction so that each action goes to exactly one taker: an acting step is marked interrupted (never
// re-run), a waiting step (a person's wait, a platform poll) changes owner and the taker resumes it.

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/action_store.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// What a takeover found of the dead replicas' work.
struct taken_over {
    /// Acting (running, or approved but not started): now interrupted, locks released, audited. To be reported.
    std::vector<action_record> interrupted;
    /// Running with a step stored as waiting for a person or a platform: now owned by the taker, which resumes them.
    std::vector<action_record> waiting;
};

class replica_store {
public:
    /// The default lease (issue 14): a dead replica's work is taken over within it.
    static constexpr std::chrono::milliseconds default_lease{std::chrono::seconds{30}};

    replica_store(database& db, const clock& clock, std::chrono::milliseconds lease = default_lease)
        : db_(db), clock_(clock), lease_(lease) {}

    std::chrono::milliseconds lease() const { return lease_; }

    /// Registers `id` (started now, lease until now + lease); again for a known id starts it anew.
    result<void> enrol(const std::string& id);

    /// Renews the lease of `id` to now + lease (registering it when its row is gone). False when its lease had
    /// already run out (or it had no row): another replica may have taken its work over meanwhile.
    result<bool> heartbeat(const std::string& id);

    /// Replicas whose lease has run out by now, oldest lease first.
    result<std::vector<std::string>> expired();

    /// Whether `id` leads the replicas, so that timers fire once in the cluster (the daily audit head post): no other
    /// replica with a live lease started before it, and its own lease on — or no other replica live at all (alone, it
    /// leads whatever its lease says). A replica whose lease ran out therefore hands the lead to the next one at once.
    result<bool> leads(const std::string& id);

    /// Removes `id` (a clean stop): its remaining work is taken over by the next takeover, without waiting for the lease.
    result<void> leave(const std::string& id);

    /// Takes over the work of every replica but `me` whose lease ran out by now, or that has no row (or no owner
    /// recorded); expired replicas' rows are removed. `reason` goes into the audit of each interrupted action.
    result<taken_over> take_over_expired(const std::string& me, const std::string& reason);

    /// Start-up on a database only one process may open (SQLite's instance lock): every other replica is dead, so all
    /// of their work is taken over at once, leases or not; their rows are removed.
    result<taken_over> take_over_all_but(const std::string& me, const std::string& reason);

private:
    result<taken_over> take_over(const std::string& me, bool only_expired, const std::string& reason);

    database& db_;
    const clock& clock_;
    std::chrono::milliseconds lease_;
};

}  // namespace opsbot::storage
