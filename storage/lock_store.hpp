#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// A lease on one service in one environment (userver style: owner + expiry).
struct lock_record {
    std::string service;      ///< e.g. "web"
    std::string environment;  ///< e.g. "production"
    std::string owner;        ///< a Slack user id ("U02") or an action id ("A-7")
    std::string reason;
    clock::time_point acquired_at;
    clock::time_point expires_at;
};

/// One destructive action per service+environment at a time. The claim is atomic: PRIMARY KEY(service,
/// environment) inside one IMMEDIATE transaction. Every claim, takeover and release is audited.
class lock_store {
public:
    lock_store(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// Takes the lock. A lock already held by `owner` is renewed (new reason and expiry); a lock whose expiry
    /// has passed is taken over in the same transaction (audited "lock.taken_over"); a live lock held by
    /// someone else is conflict, with holder, reason and expiry in the message. expires_at must be in the
    /// future (invalid_input).
    result<lock_record> claim(const std::string& service, const std::string& environment, const std::string& owner,
                              const std::string& reason, clock::time_point expires_at);

    /// not_found when nothing is held; forbidden when held by someone else (nothing changes).
    result<void> release(const std::string& service, const std::string& environment, const std::string& owner);

    /// `/deploy unlock` by an approver of the deploy family (issue 12): releases a lock held by someone else when
    /// its owner is gone — an action that ended, or no such action — or when it is another person's manual
    /// `/deploy lock`; audited "lock.released_by_approver" with who released it and whose lock it was. A lock of
    /// an action still running (or about to) is forbidden (Stop it instead); `actor`'s own lock is released as by
    /// release(); not_found when nothing is held. Returns the lock as it was.
    result<lock_record> release_as_approver(const std::string& service, const std::string& environment,
                                            const std::string& actor);

    /// Releases every lock the action owns; returns them (empty when none).
    result<std::vector<lock_record>> release_for_action(const action_id& action);

    /// The locks whose expiry has not passed.
    result<std::vector<lock_record>> list_active();

    /// Inside a transaction the caller holds: deletes and audits every lock owned by `owner`. Throws
    /// sql::error.
    static std::vector<lock_record> release_owned_in(database::session& session, clock::time_point now,
                                                     const std::string& owner, const std::string& actor);

private:
    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
