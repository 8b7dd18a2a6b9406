#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>

namespace opsbot::storage {

/// What the operators' endpoint shows from the database (issue 15 item 1): read at scrape time, in one short
/// session, which also proves the database answers (/readyz).
struct ops_gauges {
    std::int64_t locks_held = 0;           ///< locks whose expiry has not passed
    std::int64_t audit_head_sequence = 0;  ///< the newest audit entry's seq; 0 for an empty log
    std::int64_t watches_running = 0;      ///< post-deploy watches still watching
};

result<ops_gauges> read_ops_gauges(database& db, clock::time_point now);

}  // namespace opsbot::storage
