#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace opsbot::commands {

/// One step of a plan: what a human reads, and what the executor runs.
struct plan_step {
    std::string description;  ///< "Roll web back to dpl_abc (commit de8b89f, 2 h old)"
    std::string kind;         ///< what runs it, e.g. "vercel.rollback", "railway.wait_deployed", "health.check"
    boost::json::object params;  ///< ids and URLs the step needs; never a secret value
    std::chrono::seconds timeout{std::chrono::minutes{5}};
};

/// What a destructive command will do, exactly, before anyone approves it.
/// Approval binds to digest(): if re-planning gives another digest, the approval no longer holds.
struct plan {
    std::string family;       ///< "rollback"
    std::string title;        ///< "Roll back web (production)"
    std::string service;      ///< "web" (empty when the plan spans several)
    std::string environment;  ///< "production"
    std::vector<plan_step> steps;
    std::vector<std::string> impact;  ///< lines shown with the approval request ("all sessions are invalidated")
    std::string next_step_on_failure;  ///< the runbook's next step, for the incident post
    /// What was asked ({"family":"rollback","service":"web","deployment":null}): re-planning starts from it.
    boost::json::object request;

    boost::json::value to_json() const;
    /// SHA-256 (hex) of the canonical JSON of family, service, environment and the steps.
    std::string digest() const;
};

plan plan_from_json(const boost::json::value& json);

/// The step every plan that changes a running service ends with: GET `url` and require the runbook's
/// {"status":"ok"} (kind "health.check", 30 s).
plan_step health_check_step(const std::string& url);

}  // namespace opsbot::commands
