#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A check run as the fake serves it (docs/platforms.md §5.3, §7).
struct fake_check_run {
    std::string name;
    std::string status = "completed";                    ///< queued | in_progress | completed | …
    std::optional<std::string> conclusion = "success";   ///< null in the JSON when nullopt
    std::string html_url;
};

/// A commit status context (docs/platforms.md §5.3).
struct fake_commit_status {
    std::string context;
    std::string state = "success";  ///< error | failure | pending | success
    std::string target_url;
    std::string description;
};

/// The GitHub REST endpoints of one repository that `/deploy check` reads: check runs of a ref (paginated by
/// page/per_page with an RFC 8288 Link header, like GitHub) and the combined status. Refs resolve to the
/// branch's head sha; any other ref answers 422 like GitHub. Requests without `Authorization: Bearer <token>`
/// get 401 "Bad credentials". Thread-safe: tests change state while the server runs.
class fake_github {
public:
    explicit fake_github(std::string repo = "acme/app", std::string token = "ghp_fake_token_0123456789");
    ~fake_github();
    fake_github(const fake_github&) = delete;
    fake_github& operator=(const fake_github&) = delete;

    /// Base URL for github_config::api_url ("http://127.0.0.1:PORT/").
    std::string api_url() const;
    const std::string& token() const { return token_; }

    void set_head(std::string branch, std::string sha);
    void set_check_runs(std::vector<fake_check_run> runs);
    void set_statuses(std::vector<fake_commit_status> statuses);
    /// At most this many check runs per page, whatever per_page asks (default 100, GitHub's maximum).
    void set_page_size(int n);
    /// The next request gets 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset: reset_epoch (primary limit).
    void rate_limit_next(std::int64_t reset_epoch);

    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const { return server_->requests(); }

private:
    sim::response handle(const sim::request& request);
    sim::response check_runs(const sim::request& request, const std::string& sha);
    sim::response combined_status(const std::string& sha);

    std::string repo_;
    std::string token_;
    mutable std::mutex mutex_;
    std::string branch_ = "main";
    std::string sha_ = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    std::vector<fake_check_run> runs_;
    std::vector<fake_commit_status> statuses_;
    int page_size_ = 100;
    std::optional<std::int64_t> rate_limit_reset_;
    fake_knobs knobs_;
    std::unique_ptr<sim::http_server> server_;
};

}  // namespace opsbot::testing
