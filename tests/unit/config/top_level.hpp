#pragma once
// The smallest valid stack description with top-level fields added, for the tests of one config section or field
// (http, shutdown_grace, replica_lease, monitoring): every environment variable it names counts as set.
#include "config/config.hpp"

#include <optional>
#include <string>

namespace opsbot::testing {

inline std::optional<std::string> everything_set(const std::string& name) { return "value-of-" + name; }

/// `extra` goes after the "database" member: `, "replica_lease": 12`.
inline config_load_result with_top(const std::string& extra) {
    return parse_config(R"({
  "slack": { "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN",
             "ops_channel": "C0123OPS", "incident_channel": "C0123INC" },
  "database": "opsbot.db")" + extra + R"(
})",
                        &everything_set);
}

/// The messages of the problems reported at `path`, one per line; empty when none.
inline std::string problems_at(const config_load_result& r, const std::string& path) {
    std::string out;
    for (const auto& p : r.problems) {
        if (p.path == path) {
            out += p.message + "\n";
        }
    }
    return out;
}

}  // namespace opsbot::testing
