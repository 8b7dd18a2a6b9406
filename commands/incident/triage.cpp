#include "commands/incident/triage.hpp"

#include "commands/grammar/command_spec.hpp"

#include <algorithm>
#include <array>

namespace opsbot::commands {
namespace {

// Runbook §8 names auth, webhooks and workflows as core functionality; the rest are their usual spellings.
constexpr std::array<std::string_view, 14> core_words{"auth",    "login",    "logout",   "sign in", "signin",
                                                     "session", "jwt",      "password", "webhook", "whatsapp",
                                                     "workflow", "bullmq",  "worker",   "credential"};
// Runbook §8: "connection timeouts, cold starts" and their usual error spellings.
constexpr std::array<std::string_view, 14> transient_words{
    "timeout", "timed out", "etimedout", "econnreset", "econnrefused", "socket hang up", "connection",
    "cold start", "502", "503", "504", "bad gateway", "temporarily", "too many clients"};

template <std::size_t N>
std::string first_match(const std::string& text, const std::array<std::string_view, N>& words) {
    for (auto word : words) {
        if (text.find(word) != std::string::npos) {
            return std::string(word);
        }
    }
    return {};
}

}  // namespace

std::string_view to_string(issue_class c) {
    switch (c) {
        case issue_class::core: return "core";
        case issue_class::transient: return "transient";
        case issue_class::isolated: return "isolated";
    }
    return "isolated";
}

issue_verdict classify_issue(const adapters::sentry_issue& issue) {
    const std::string text = to_lower(issue.title + "\n" + issue.culprit);
    if (auto word = first_match(text, core_words); !word.empty()) {
        return {issue_class::core, word};
    }
    if (auto word = first_match(text, transient_words); !word.empty()) {
        return {issue_class::transient, word};
    }
    return {issue_class::isolated, ""};
}

std::string_view to_string(migration_failure f) {
    switch (f) {
        case migration_failure::none: return "none";
        case migration_failure::clean: return "clean";
        case migration_failure::partial: return "partial";
    }
    return "partial";
}

std::vector<adapters::prisma_migration_row> newest_rows(std::vector<adapters::prisma_migration_row> rows,
                                                        std::size_t limit) {
    // ISO-8601 UTC times of one format sort as text.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.started_at > b.started_at; });
    if (rows.size() > limit) {
        rows.resize(limit);
    }
    return rows;
}

migration_verdict classify_migration_failure(const std::vector<adapters::prisma_migration_row>& rows) {
    const adapters::prisma_migration_row* failed = nullptr;
    for (const auto& row : rows) {
        if (row.failed() && (failed == nullptr || row.started_at > failed->started_at)) {
            failed = &row;
        }
    }
    migration_verdict v;
    if (failed == nullptr) {
        v.reason = "no migration is started-but-not-finished: every row is finished or rolled back";
        return v;
    }
    v.migration = failed->name;
    v.started_at = failed->started_at;
    const std::string logs = to_lower(failed->logs);
    if (logs.find("42601") != std::string::npos || logs.find("syntax error") != std::string::npos) {
        v.kind = migration_failure::clean;
        v.reason = "its logs show a syntax error: PostgreSQL rejects the whole script before running any of it, "
                   "so no change was applied";
        return v;
    }
    v.kind = migration_failure::partial;
    v.reason = logs.empty() ? "it started but did not finish, and no logs say how far it got: treat it as "
                              "partially applied (runbook §8 step 3)"
                            : "it started but did not finish, and its logs do not prove that nothing was applied: "
                              "treat it as partially applied (runbook §8 step 3)";
    return v;
}

}  // namespace opsbot::commands
