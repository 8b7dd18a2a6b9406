#pragma once

#include "adapters/prisma_migrations.hpp"
#include "adapters/sentry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

/// Runbook §8 "High Error Rate After Deploy": which of its three cases a new Sentry issue looks like.
enum class issue_class {
    core,       ///< auth, webhooks, workflows: roll back now
    transient,  ///< timeouts, connection errors, cold starts: watch for 5 minutes
    isolated,   ///< anything else: one feature, a targeted fix
};

std::string_view to_string(issue_class c);

/// A classification and the keyword that decided it ("" for isolated).
struct issue_verdict {
    issue_class cls = issue_class::isolated;
    std::string keyword;
};

/// A keyword heuristic over the issue's title and culprit (case-insensitive): core keywords (auth, login,
/// session, jwt, webhook, whatsapp, workflow, …) win over transient ones (timeout, ECONNRESET, connection,
/// cold start, 502/503/504, …), which win over "isolated". Pure.
issue_verdict classify_issue(const adapters::sentry_issue& issue);

/// Runbook §8 "Database Migration Failed" step 3/4: what `_prisma_migrations` says.
enum class migration_failure {
    none,     ///< no row is started-but-not-finished: nothing failed
    clean,    ///< the newest failed row's logs show the script was rejected before it ran (syntax error)
    partial,  ///< started but not finished, and nothing proves it was clean: treat as partially applied
};

std::string_view to_string(migration_failure f);

struct migration_verdict {
    migration_failure kind = migration_failure::none;
    std::string migration;  ///< the failed migration's name ("" for none)
    std::string started_at;
    std::string reason;  ///< one sentence: why this verdict
};

/// The newest (by started_at) row with finished_at NULL and rolled_back_at NULL decides. Clean only when its
/// logs carry a syntax error (SQLSTATE 42601 / "syntax error"): PostgreSQL parses the whole script before it
/// runs any statement, so such a script changed nothing. Every other unfinished row is partial (runbook §8
/// step 3: "started but not finished"). Pure.
migration_verdict classify_migration_failure(const std::vector<adapters::prisma_migration_row>& rows);

/// The runbook's query (ORDER BY started_at DESC LIMIT 5): the `limit` newest rows by started_at, newest first. Pure.
std::vector<adapters::prisma_migration_row> newest_rows(std::vector<adapters::prisma_migration_row> rows,
                                                        std::size_t limit = 5);

}  // namespace opsbot::commands
