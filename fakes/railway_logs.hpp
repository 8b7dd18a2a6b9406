#pragma once
// Railway's deploymentLogs as both fakes answer it (fakes/memory_railway, tests/support/fake_railway), so the demo and
// the tests read one story: the newest `limit` matching lines, oldest first (railway-schema.json `deploymentLogs`).

#include "adapters/railway.hpp"

#include <string_view>
#include <vector>

namespace opsbot::fakes {

/// Railway's log query, the part the bot uses (docs.railway.com/cli/logs "Filter syntax"): "" matches every line;
/// `@level:error` a severity (error and err are one level); a "quoted phrase" or a bare word the lines holding it,
/// ignoring case; terms joined by ` AND ` must all match.
bool railway_log_matches(std::string_view filter, const adapters::railway_log_line& line);

/// The newest `limit` lines of `lines` (oldest first) that match `filter`, oldest first.
std::vector<adapters::railway_log_line> railway_logs_answer(const std::vector<adapters::railway_log_line>& lines,
                                                           std::string_view filter, int limit);

}  // namespace opsbot::fakes
