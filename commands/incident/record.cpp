#include "commands/incident/record.hpp"

#include "commands/grammar/format.hpp"
#include "commands/grammar/mrkdwn.hpp"

#include <fmt/format.h>

#include <optional>

namespace opsbot::commands {
namespace {

/// Where a leaked key's use shows (runbook §8 step 4 names OpenAI; the others are the §6 table's providers).
std::string usage_place(const std::string& secret, const secret_config* config) {
    const std::optional<secret_generator> generate =
        config != nullptr ? std::optional(config->generate) : std::nullopt;
    if (secret == "OPENAI_API_KEY" || generate == secret_generator::openai) {
        return "the OpenAI usage dashboard for unexpected charges (runbook §8 step 4)";
    }
    if (secret == "RESEND_API_KEY" || generate == secret_generator::resend) {
        return "the Resend dashboard (emails sent, domains, API key activity)";
    }
    if (secret == "POSTHOG_API_KEY" || generate == secret_generator::posthog) {
        return "PostHog's project activity for events you did not send";
    }
    if (secret == "SENTRY_AUTH_TOKEN") {
        return "Sentry's organisation audit log for the token's use";
    }
    return "the provider's usage and activity pages";
}

bool is_api_key(const std::string& secret, const secret_config* config) {
    return secret.ends_with("_API_KEY") || secret.ends_with("_AUTH_TOKEN") ||
           (config != nullptr && (is_provider(config->generate) || config->generate == secret_generator::manual));
}

}  // namespace

boost::json::object incident_record::to_json() const {
    return {{"what_leaked", what_leaked},
            {"exposure_window", {{"start", window_start}, {"end", window_end}}},
            {"impact", impact},
            {"remediation", remediation},
            {"action_id", action_id},
            {"outcome", outcome},
            {"reported_by", reported_by}};
}

std::string incident_record::render() const {
    return fmt::format("*Incident record* (runbook §8 step 7)\n*What leaked:* `{}`\n*Exposure window:* {} → {}\n"
                       "*Impact:* {}\n*Remediation:* {}\n_Reported by <@{}>; edit the window start and impact in "
                       "this thread if you know more._",
                       escape_mrkdwn(what_leaked), escape_mrkdwn(window_start), escape_mrkdwn(window_end),
                       escape_mrkdwn(impact), escape_mrkdwn(remediation), escape_mrkdwn(reported_by));
}

incident_record leaked_secret_record(const stack_config& config, const std::string& secret,
                                     clock::time_point requested_at, const std::string& action_id, bool succeeded,
                                     const std::string& outcome_text, const std::string& reported_by) {
    incident_record r;
    r.what_leaked = secret;
    r.window_start = fill_in;
    r.window_end = iso8601(requested_at) + " (reported)";
    auto it = config.secrets.find(secret);
    r.impact = it != config.secrets.end() && !it->second.impact.empty() ? it->second.impact : std::string(fill_in);
    r.action_id = action_id;
    r.outcome = succeeded ? "succeeded" : "failed";
    r.remediation = fmt::format("rotation {} {}: {}", action_id, r.outcome, outcome_text);
    r.reported_by = reported_by;
    return r;
}

std::vector<std::string> leaked_secret_checklist(const stack_config& config, const std::string& secret) {
    auto it = config.secrets.find(secret);
    const secret_config* sc = it == config.secrets.end() ? nullptr : &it->second;
    std::vector<std::string> lines;
    lines.push_back("Rotate it now: this plan (runbook §6), once a second person approves it.");
    lines.push_back(fmt::format("Check the audit log (`/audit`) and the access logs (Railway, Vercel, the "
                                "provider) for unauthorized use of {} during the exposure window (from when it "
                                "leaked until the rotation finishes).",
                                secret));
    if (is_api_key(secret, sc)) {
        lines.push_back("Check " + usage_place(secret, sc) + ".");
    }
    if (secret == "BETTER_AUTH_SECRET") {
        lines.push_back("BETTER_AUTH_SECRET: every session is invalidated by the rotation; users must log in again "
                        "(tell support).");
    }
    if (secret == "CREDENTIAL_ENCRYPTION_KEY") {
        lines.push_back("CREDENTIAL_ENCRYPTION_KEY: every tool credential needs re-encryption with the new key; "
                        "confirm the re-encryption ran and spot-check a credential.");
    }
    lines.push_back("Notify affected users if customer data may have been exposed.");
    lines.push_back("Document the incident: the record (what leaked, exposure window, impact, remediation) is "
                    "filled in here and kept in the audit log when the rotation finishes.");
    return lines;
}

}  // namespace opsbot::commands
