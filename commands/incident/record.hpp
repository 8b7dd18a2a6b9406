#pragma once

#include "core/clock.hpp"
#include "config/config.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace opsbot::commands {

/// What runbook §8 "Secret Leaked" step 7 asks to document: what leaked, the exposure window, impact,
/// remediation. Raw text: render() escapes it.
struct incident_record {
    std::string what_leaked;   ///< "OPENAI_API_KEY"
    std::string window_start;  ///< ISO-8601, or "unknown – fill in"
    std::string window_end;    ///< ISO-8601: when the leak was reported (the request time)
    std::string impact;        ///< config.secrets.<name>.impact, or "unknown – fill in"
    std::string remediation;   ///< "rotation A-4 succeeded: all 5 steps succeeded"
    std::string action_id;     ///< the rotation's action id
    std::string outcome;       ///< "succeeded" | "failed"
    std::string reported_by;   ///< Slack user id of the requester

    /// {"what_leaked","exposure_window":{"start","end"},"impact","remediation","action_id","outcome","reported_by"}
    boost::json::object to_json() const;
    /// "*Incident record*\n*What leaked:* …" in escaped mrkdwn.
    std::string render() const;
};

inline constexpr const char* fill_in = "unknown \xE2\x80\x93 fill in";

/// Fills the template for a finished rotation of `secret` (success or failure). `requested_at` ends the
/// exposure window; its start is unknown until someone fills it in. Pure.
incident_record leaked_secret_record(const stack_config& config, const std::string& secret,
                                     clock::time_point requested_at,
                                     const std::string& action_id, bool succeeded, const std::string& outcome_text,
                                     const std::string& reported_by);

/// The runbook §8 "Secret Leaked" checklist for `secret` (raw text lines, most urgent first): access logs for the
/// exposure window, the provider's usage for API keys (OPENAI_API_KEY: the OpenAI usage dashboard),
/// BETTER_AUTH_SECRET sessions, CREDENTIAL_ENCRYPTION_KEY re-encryption, users to notify, the record. Pure.
std::vector<std::string> leaked_secret_checklist(const stack_config& config, const std::string& secret);

}  // namespace opsbot::commands
