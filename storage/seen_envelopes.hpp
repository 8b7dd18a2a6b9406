#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

namespace opsbot::storage {

/// Envelope and event ids already handled, kept across restarts so a replay after a reconnect or restart
/// is ignored (docs/design.md "Runtime model": duplicate envelope ids are ignored).
class seen_envelopes {
public:
    seen_envelopes(database& db, const clock& clock) : db_(db), clock_(clock) {}

    /// True the first time `key` is offered, false on every later call (atomic: INSERT OR IGNORE).
    result<bool> first_sighting(std::string_view key);

    /// The keys of one delivery (envelope id, event id, click: socket_mode_frames' dedupe_keys): true when none was
    /// seen before; every key is remembered either way, in one transaction (so a retry under a new envelope id
    /// is caught by its event or click key, and the next one by its envelope id too).
    result<bool> first_sighting(const std::vector<std::string>& keys);

    /// Forgets keys seen longer ago than `ttl`; returns how many were forgotten.
    result<std::int64_t> forget_older_than(std::chrono::milliseconds ttl);

private:
    database& db_;
    const clock& clock_;
};

}  // namespace opsbot::storage
