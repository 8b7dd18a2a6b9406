// Rotations newer than a rollback target, from the audit log (issue 12 item 10).
#include "commands/rotation_history.hpp"

#include "adapters/sentry.hpp"
#include "commands/planner.hpp"
#include "storage/audit_queries.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::commands {
namespace {

std::vector<std::string> secrets_of(const stack_config& config, const std::string& service) {
    std::vector<std::string> out;
    for (const auto& [name, secret] : config.secrets) {
        if (std::ranges::find(secret.services, service) != secret.services.end()) {
            out.push_back(name);
        }
    }
    return out;
}

/// The secret a stored rotate plan rotated ("" when the plan cannot be read).
std::string rotated_in(const std::string& plan_json) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(plan_json, ec);
    if (ec || !parsed.is_object()) {
        return {};
    }
    const auto* request = parsed.get_object().if_contains("request");
    return request != nullptr && request->is_object() ? request_arg(request->get_object(), "secret") : std::string{};
}

}  // namespace

std::vector<std::string> rotation_check::newer_secrets() const {
    std::vector<std::string> out;
    for (const auto& r : newer) {
        if (std::ranges::find(out, r.secret) == out.end()) {
            out.push_back(r.secret);
        }
    }
    return out;
}

result<rotation_check> check_rotations(const stack_config& config, const platform_registry& platforms,
                                       const std::string& service, std::optional<clock::time_point> target_made) {
    rotation_check out;
    out.secrets = secrets_of(config, service);
    if (out.secrets.empty()) {
        return out;
    }
    storage::database* audit_db = platforms.audit_db;
    if (audit_db == nullptr && platforms.database) {
        audit_db = platforms.database->audit_db;
    }
    if (audit_db == nullptr) {
        out.checked = false;
        return out;
    }
    auto rotations = storage::succeeded_actions(*audit_db, "rotate");
    if (!rotations) {
        return std::unexpected(rotations.error());
    }
    for (const auto& r : *rotations) {
        const std::string secret = rotated_in(r.plan_json);
        if (std::ranges::find(out.secrets, secret) == out.secrets.end()) {
            continue;
        }
        const auto at = adapters::parse_utc_iso8601(r.succeeded_at);
        if (target_made && at && *at <= *target_made) {
            continue;  // the target was made after this rotation: it carries the rotated value
        }
        out.newer.push_back({secret, r.id.str(), r.succeeded_at});
    }
    return out;
}

std::vector<std::string> rotation_lines(const rotation_check& check, const std::string& service,
                                        const std::string& target, const std::string& how) {
    if (check.secrets.empty()) {
        return {};
    }
    std::vector<std::string> out;
    if (!check.newer.empty()) {
        std::vector<std::string> named;
        for (const auto& r : check.newer) {
            named.push_back(fmt::format("{} rotated {} ({})", r.secret, r.at, r.action));
        }
        out.push_back(fmt::format("Rotated since `{}` was made (audit log): {}. A rollback restores the variables the "
                                  "target was made with, which would bring the old value back; this plan keeps the "
                                  "current values instead: {}.",
                                  target, fmt::join(named, "; "), how));
    } else if (!check.checked) {
        out.push_back(fmt::format("WARNING: {} holds {}, whose rotations could not be looked up (no audit log is "
                                  "reachable from the planner; it is when `migrations` is configured). This rollback "
                                  "restores the variables `{}` was made with: a secret rotated since then would come "
                                  "back. Check `/audit` for rotations before approving.",
                                  service, fmt::join(check.secrets, ", "), target));
        return out;
    } else {
        out.push_back(fmt::format("No rotation of {} since `{}` was made (audit log): rolling back to it brings back "
                                  "no rotated value.",
                                  fmt::join(check.secrets, ", "), target));
    }
    out.emplace_back("Rule: an instant rollback only when the audit log shows no rotation of the service's secrets "
                     "newer than the target; otherwise a rebuild that keeps the current values.");
    return out;
}

}  // namespace opsbot::commands
