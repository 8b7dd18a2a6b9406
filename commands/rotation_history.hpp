#pragma once
// Which rotations a rollback would undo (issue 12 item 10). Both platforms roll back WITH the target's variables
// (Railway: "both the Docker image and custom variables are restored"; Vercel's instant rollback serves the old
// build with its old environment): a rollback across a rotation brings back a revoked, leaked or superseded value.

#include "commands/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace opsbot::commands {

/// A rotation that succeeded after the rollback target was made.
struct newer_rotation {
    std::string secret;  ///< "BETTER_AUTH_SECRET"
    std::string action;  ///< "A-7"
    std::string at;      ///< when it succeeded (audit time, ISO-8601 UTC)
};

/// What the audit log says about a service's secrets (config `secrets.*.services`) since a rollback target.
struct rotation_check {
    std::vector<std::string> secrets;  ///< the secrets of `secrets` that the service holds
    std::vector<newer_rotation> newer;  ///< their rotations that succeeded after the target was made
    bool checked = true;  ///< false: the service holds such secrets but no audit log is reachable from the plan

    /// The rule of every rollback plan: keep the current values (rebuild / redeploy) when the audit log shows a
    /// rotation of the service's secrets newer than the target. Without an audit log the plan cannot know: it keeps
    /// the instant rollback and says so loudly (the demo's sandboxes and configs without `migrations` have none).
    bool keep_current_values() const { return !newer.empty(); }
    /// The secret names of `newer`, once each, for the step's params (they enter the digest).
    std::vector<std::string> newer_secrets() const;
};

/// The rotations (succeeded "rotate" actions in the audit log, platforms.database->audit_db) of `service`'s
/// secrets after `target_made` (nullopt: the target's age is unknown, every rotation counts).
result<rotation_check> check_rotations(const stack_config& config, const platform_registry& platforms,
                                       const std::string& service, std::optional<clock::time_point> target_made);

/// The plan's lines about it: which rotations (or none) and the rule applied. `how` says what keeping the values
/// means on that platform; `target` names the deployment.
std::vector<std::string> rotation_lines(const rotation_check& check, const std::string& service,
                                        const std::string& target, const std::string& how);

}  // namespace opsbot::commands
