// The GitHub "is the branch green?" adapter (docs/platforms.md §5.3).
#include "core/json_fields.hpp"
#include "adapters/github.hpp"

#include "adapters/link_header.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr int max_check_run_pages = 20;
constexpr std::string_view check_runs_endpoint = "GET /repos/{owner}/{repo}/commits/{ref}/check-runs";
constexpr std::string_view status_endpoint = "GET /repos/{owner}/{repo}/commits/{ref}/status";



bool valid_repo_part(std::string_view part) {
    return !part.empty() && part != "." && part != ".." && std::all_of(part.begin(), part.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

// Git ref names: no control characters, spaces, "..", or the characters git forbids (git-check-ref-format).
bool valid_branch(std::string_view branch) {
    if (branch.empty() || branch.size() > 255 || branch.find("..") != std::string_view::npos ||
        branch.front() == '/' || branch.back() == '/') {
        return false;
    }
    return std::none_of(branch.begin(), branch.end(), [](unsigned char c) {
        return c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
               c == '[' || c == '\\';
    });
}

std::optional<long long> to_int(std::optional<std::string> text) {
    long long v = 0;
    if (!text) {
        return std::nullopt;
    }
    const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || p != text->data() + text->size()) {
        return std::nullopt;
    }
    return v;
}

bool passing_conclusion(std::string_view c) { return c == "success" || c == "neutral" || c == "skipped"; }

std::string quote_names(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < 3; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > 3) {
        out += " and " + std::to_string(names.size() - 3) + " more";
    }
    return out;
}

class github_impl final : public github_ci {
public:
    github_impl(github_config config, std::string token, http_client& http, const clock* clk)
        : config_(std::move(config)), token_(std::move(token)), http_(http), clock_(clk ? clk : &system_clock_) {}

    result<ci_status> branch_status(const std::string& branch) override {
        const auto slash = config_.repo.find('/');
        if (slash == std::string::npos || !valid_repo_part(config_.repo.substr(0, slash)) ||
            !valid_repo_part(config_.repo.substr(slash + 1))) {
            return fail(error_kind::invalid_input,
                        "GitHub: monitoring.github.repo must be \"owner/name\", got `" + config_.repo + "`");
        }
        if (!valid_branch(branch)) {
            return fail(error_kind::invalid_input, "GitHub: `" + branch + "` is not a valid branch name");
        }
        std::string sha;
        auto runs = check_runs(branch, sha);
        if (!runs) {
            return std::unexpected(runs.error());
        }
        // Ask for the statuses of the very commit the check runs belong to, so a push in between cannot mix
        // two commits; without check runs the branch name resolves to its head.
        auto combined = combined_status_of(sha.empty() ? branch : sha, branch);
        if (!combined) {
            return std::unexpected(combined.error());
        }
        if (combined->sha.empty()) {
            combined->sha = sha;
        }
        return judge_ci(branch, std::move(*runs), *combined);
    }

private:
    std::string repo_path() const { return "/repos/" + config_.repo; }

    result<std::vector<ci_check>> check_runs(const std::string& branch, std::string& sha) {
        std::vector<ci_check> out;
        std::string url = join_url(config_.api_url, repo_path() + "/commits/" + percent_encode(branch) +
                                                        "/check-runs?filter=latest&per_page=100");
        for (int page = 1;; ++page) {
            auto response = get(url, check_runs_endpoint, branch);
            if (!response) {
                return std::unexpected(response.error());
            }
            auto body = parse_json(response->body, "GitHub: " + std::string(check_runs_endpoint));
            if (!body) {
                return std::unexpected(body.error());
            }
            const auto* obj = body->if_object();
            const auto* list = obj ? obj->if_contains("check_runs") : nullptr;
            if (!list || !list->is_array()) {
                return bad_shape(check_runs_endpoint, "no `check_runs` array");
            }
            for (const auto& item : list->get_array()) {
                if (!item.is_object()) {
                    return bad_shape(check_runs_endpoint, "a check run is not an object");
                }
                const auto& o = item.get_object();
                ci_check check;
                check.kind = ci_check::source::check_run;
                check.name = json_string(o, "name");
                check.status = json_string(o, "status");
                check.conclusion = json_string(o, "conclusion");  // null until completed
                check.url = o.contains("html_url") ? json_string(o, "html_url") : json_string(o, "details_url");
                if (sha.empty()) {
                    sha = json_string(o, "head_sha");
                }
                out.push_back(std::move(check));
            }
            // Pages are chained by the Link header's rel="next" (docs/platforms.md §5.3, RFC 8288).
            const auto link = response->header("Link");
            const auto next = link ? find_link(*link, "next") : std::nullopt;
            if (!next || list->get_array().empty()) {
                break;
            }
            auto next_url = resolve_link_target(url, next->target);
            if (!next_url || !same_origin(*next_url, config_.api_url)) {
                return fail(error_kind::bad_response, "GitHub: " + std::string(check_runs_endpoint) +
                                                          ": the next-page link leaves the configured api_url; "
                                                          "the token is not sent there");
            }
            if (page == max_check_run_pages) {
                spdlog::warn("GitHub: more than {} pages of check runs for {}; judging the first {}",
                             max_check_run_pages, config_.repo, out.size());
                break;
            }
            url = std::move(*next_url);
        }
        return out;
    }

    result<combined_status> combined_status_of(const std::string& ref, const std::string& branch) {
        const std::string url =
            join_url(config_.api_url, repo_path() + "/commits/" + percent_encode(ref) + "/status?per_page=100");
        auto response = get(url, status_endpoint, branch);
        if (!response) {
            return std::unexpected(response.error());
        }
        auto body = parse_json(response->body, "GitHub: " + std::string(status_endpoint));
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        const auto* statuses = obj ? obj->if_contains("statuses") : nullptr;
        if (!obj || !statuses || !statuses->is_array() || !obj->contains("state")) {
            return bad_shape(status_endpoint, "expected {state, statuses[], sha, total_count}");
        }
        combined_status out;
        out.state = json_string(*obj, "state");
        out.sha = json_string(*obj, "sha");
        for (const auto& item : statuses->get_array()) {
            if (!item.is_object()) {
                return bad_shape(status_endpoint, "a status is not an object");
            }
            const auto& o = item.get_object();
            out.statuses.push_back(ci_check{ci_check::source::commit_status, json_string(o, "context"),
                                            json_string(o, "state"), "", json_string(o, "target_url")});
        }
        const auto* total = obj->if_contains("total_count");
        out.total_count = total && total->is_int64() ? static_cast<int>(total->get_int64())
                                                     : static_cast<int>(out.statuses.size());
        return out;
    }

    std::unexpected<error> bad_shape(std::string_view endpoint, std::string_view what) const {
        return fail(error_kind::bad_response, "GitHub: " + std::string(endpoint) + ": " + std::string(what));
    }

    result<http_response> get(const std::string& url, std::string_view endpoint, const std::string& branch) {
        http_request request;
        request.url = url;
        request.headers = {{"Authorization", "Bearer " + token_},
                           {"Accept", "application/vnd.github+json"},
                           {"X-GitHub-Api-Version", "2022-11-28"}};
        // GitHub rejects requests without a User-Agent: the client adds http_options::user_agent.
        spdlog::debug("GitHub: {} for {}", endpoint, config_.repo);
        auto response = http_.send(request);
        if (!response) {
            auto e = response.error();
            e.message = "GitHub: " + e.message;
            spdlog::warn("{}", e.message);
            return std::unexpected(std::move(e));
        }
        if (response->status >= 200 && response->status < 300) {
            return response;
        }
        auto e = status_error(*response, endpoint, branch);
        spdlog::warn("{}", e.message);
        return std::unexpected(std::move(e));
    }

    error status_error(const http_response& r, std::string_view endpoint, const std::string& branch) const {
        std::string detail;
        boost::system::error_code ec;
        if (auto body = json::parse(r.body, ec); !ec && body.is_object()) {
            detail = json_string(body.get_object(), "message");
        }
        const auto remaining = to_int(r.header("X-RateLimit-Remaining"));
        const auto retry_after = to_int(r.header("Retry-After"));
        // Primary limit: 403 or 429 with X-RateLimit-Remaining: 0, reset at X-RateLimit-Reset (epoch s);
        // secondary limits carry Retry-After (docs/platforms.md §5.3 [G3]).
        if ((r.status == 403 || r.status == 429) && ((remaining && *remaining == 0) || retry_after)) {
            error e{error_kind::rate_limited, "", r.status, std::nullopt};
            if (retry_after) {
                e.retry_after = std::chrono::seconds(std::max(0LL, *retry_after));
            } else if (const auto reset = to_int(r.header("X-RateLimit-Reset"))) {
                const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                    clock_->now().time_since_epoch());
                e.retry_after = std::chrono::seconds(std::max(0LL, *reset - static_cast<long long>(now.count())));
            }
            e.message = "GitHub rate limit reached";
            if (e.retry_after) {
                e.message += "; retry in " +
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*e.retry_after).count()) +
                             " s";
            }
            return e;
        }
        const std::string status = std::to_string(r.status);
        switch (r.status) {
            case 401:
                return error{error_kind::auth,
                             "GitHub refused the token (401): check monitoring.github.token_env", 401, std::nullopt};
            case 403:
                return error{error_kind::auth,
                             "GitHub refused access to " + config_.repo +
                                 " (403): the token needs read access to checks and commit statuses",
                             403, std::nullopt};
            case 404:
                return error{error_kind::not_found,
                             "GitHub: repository " + config_.repo + " not found (404), or the token cannot see it",
                             404, std::nullopt};
            // An unknown ref answers 422 "No commit found for SHA: …".
            case 422:
                return error{error_kind::not_found,
                             "GitHub: branch `" + branch + "` not found in " + config_.repo + " (422)", 422,
                             std::nullopt};
            default:
                return error{error_kind::http_status,
                             "GitHub: " + std::string(endpoint) + " answered " + status +
                                 (detail.empty() ? "" : ": " + detail),
                             r.status, std::nullopt};
        }
    }

    github_config config_;
    std::string token_;
    http_client& http_;
    system_clock system_clock_;
    const clock* clock_;
};

}  // namespace

std::string_view to_string(ci_verdict verdict) {
    switch (verdict) {
        case ci_verdict::green: return "green";
        case ci_verdict::pending: return "pending";
        case ci_verdict::red: return "red";
    }
    return "unknown";
}

ci_status judge_ci(std::string branch, std::vector<ci_check> check_runs, const combined_status& combined) {
    ci_status out;
    out.branch = std::move(branch);
    out.sha = combined.sha;
    std::vector<std::string> failed;
    std::vector<std::string> running;
    for (const auto& run : check_runs) {
        if (run.status != "completed") {
            running.push_back("`" + run.name + "`");
        } else if (!passing_conclusion(run.conclusion)) {
            failed.push_back("`" + run.name + "` (" + (run.conclusion.empty() ? "no conclusion" : run.conclusion) + ")");
        }
    }
    for (const auto& status : combined.statuses) {
        if (status.status == "failure" || status.status == "error") {
            failed.push_back("`" + status.name + "` (" + status.status + ")");
        } else if (status.status == "pending") {
            running.push_back("`" + status.name + "`");
        }
    }
    // The combined state covers statuses beyond the page read; trust it when it disagrees.
    if (combined.state == "failure" && failed.empty()) {
        failed.push_back("commit status (failure)");
    }
    if (combined.state == "pending" && combined.total_count > 0 && running.empty() && failed.empty()) {
        running.push_back("commit status");
    }
    const auto total = check_runs.size() + combined.statuses.size();
    out.checks = std::move(check_runs);
    out.checks.insert(out.checks.end(), combined.statuses.begin(), combined.statuses.end());
    const std::string short_sha = out.sha.substr(0, 7);
    if (!failed.empty()) {
        out.verdict = ci_verdict::red;
        out.summary = quote_names(failed) + " failed on " + short_sha;
    } else if (!running.empty()) {
        out.verdict = ci_verdict::pending;
        out.summary = quote_names(running) + " still running on " + short_sha;
    } else if (total == 0 && combined.total_count == 0) {
        out.verdict = ci_verdict::pending;
        out.summary = "no CI results for " + (out.sha.empty() ? out.branch : short_sha);
    } else {
        out.verdict = ci_verdict::green;
        out.summary = "all " + std::to_string(total) + " checks passed on " + short_sha;
    }
    return out;
}

std::unique_ptr<github_ci> make_github_ci(const github_config& config, std::string token, http_client& http,
                                          const clock* clk) {
    return std::make_unique<github_impl>(config, std::move(token), http, clk);
}

}  // namespace opsbot::adapters
