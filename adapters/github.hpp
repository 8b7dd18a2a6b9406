#pragma once

#include "adapters/http_client.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::adapters {

/// "Is the branch green?" in one word (docs/platforms.md §5.3).
enum class ci_verdict { green, pending, red };

std::string_view to_string(ci_verdict verdict);

/// One line of CI: a check run (GitHub Actions and other apps) or a commit status context.
struct ci_check {
    enum class source { check_run, commit_status };
    source kind = source::check_run;
    std::string name;        ///< check run `name`, or status `context`
    std::string status;      ///< check run: queued | in_progress | completed | waiting | requested | pending;
                             ///< commit status: its `state` (error | failure | pending | success)
    std::string conclusion;  ///< check run conclusion once completed (success, failure, neutral, cancelled,
                             ///< skipped, timed_out, action_required); empty otherwise
    std::string url;         ///< html_url / details_url of a check run, target_url of a status; may be empty
};

/// The combined commit status (GET /repos/{owner}/{repo}/commits/{ref}/status).
struct combined_status {
    std::string state;  ///< failure | pending | success
    std::string sha;
    int total_count = 0;
    std::vector<ci_check> statuses;
};

/// The CI state of a branch's head commit.
struct ci_status {
    std::string branch;
    std::string sha;
    ci_verdict verdict = ci_verdict::pending;
    std::string summary;  ///< one line for humans: "all 4 checks passed", "`test` failed", …
    std::vector<ci_check> checks;  ///< check runs first, then commit statuses
};

/// GitHub CI of the configured repository. Errors: 401/403 -> auth, 404 -> not_found (naming the repo or branch),
/// 403/429 with X-RateLimit-Remaining: 0 (or a Retry-After) -> rate_limited with retry_after, malformed JSON or a
/// wrong shape -> bad_response naming the endpoint; other statuses -> http_status.
class github_ci {
public:
    virtual ~github_ci() = default;

    /// Check runs (filter=latest, all pages) and the combined status of the branch's head commit, judged by
    /// judge_ci.
    virtual result<ci_status> branch_status(const std::string& branch) = 0;
};

/// The real adapter. `token` is the value of github.token_env; `http` (and `clk`, when given) must outlive it.
/// `clk` turns X-RateLimit-Reset into a retry_after; the system clock when null.
std::unique_ptr<github_ci> make_github_ci(const github_config& config, std::string token, http_client& http,
                                          const clock* clk = nullptr);

/// The bot's green rule (docs/platforms.md §5.3): red when any check run concluded failure, timed_out, cancelled,
/// action_required (or anything else not in {success, neutral, skipped}) or the combined status is failure;
/// pending when a check run is not completed, or the combined status is pending WITH statuses, or there is no
/// check run and no status at all ("no CI results for <sha>"); green otherwise. Actions-only repositories have no
/// statuses and a combined state "pending" with total_count 0: that alone never makes the verdict pending.
ci_status judge_ci(std::string branch, std::vector<ci_check> check_runs, const combined_status& combined);

}  // namespace opsbot::adapters
