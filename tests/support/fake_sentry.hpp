#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::testing {

/// An issue as the fake serves it (docs/platforms.md §5.1, §7). Times are UTC "YYYY-MM-DDTHH:MM:SSZ".
struct fake_sentry_issue {
    std::string id;
    std::string short_id;
    std::string title;
    std::string culprit;
    std::string level = "error";
    std::string status = "unresolved";
    std::int64_t count = 1;  ///< served as a STRING, like Sentry
    int user_count = 1;
    std::string first_seen;
    std::string last_seen;
    std::string environment = "production";
};

/// GET /api/0/organizations/{org}/issues/ of one organisation and project: filters by project, environment and
/// the search terms `is:unresolved` and `firstSeen:>=<ISO>`, and paginates with cursors in an RFC 8288 Link
/// header carrying both rel="previous" and rel="next" with results="true|false", always (§5.1 [S8]).
/// Wrong token -> 401 {"detail":…}; another organisation -> 404. Thread-safe.
class fake_sentry {
public:
    explicit fake_sentry(std::string org = "acme", std::string project_id = "2",
                         std::string token = "sntrys_fake_token_0123456789");
    ~fake_sentry();
    fake_sentry(const fake_sentry&) = delete;
    fake_sentry& operator=(const fake_sentry&) = delete;

    /// Base URL for sentry_config::api_url ("http://127.0.0.1:PORT/api/0/").
    std::string api_url() const;
    const std::string& token() const { return token_; }

    void set_issues(std::vector<fake_sentry_issue> issues);
    void set_page_size(int n);
    /// When false the fake ignores the `firstSeen` search term (to prove the adapter filters too).
    void set_apply_first_seen(bool on);

    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const { return server_->requests(); }

private:
    sim::response handle(const sim::request& request);

    std::string org_;
    std::string project_id_;
    std::string token_;
    mutable std::mutex mutex_;
    std::vector<fake_sentry_issue> issues_;
    int page_size_ = 100;
    bool apply_first_seen_ = true;
    fake_knobs knobs_;
    std::unique_ptr<sim::http_server> server_;
};

}  // namespace opsbot::testing
