// A protocol-faithful fake of the GitHub check-runs and combined-status endpoints (platforms.md §5.3, §7).
#include "tests/support/fake_github.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

sim::response github_error(int status, std::string_view message) {
    return sim::response::json(
        status, json::object{{"message", message}, {"documentation_url", "https://docs.github.com/rest"}});
}

int query_int(const sim::request& r, const std::string& key, int fallback) {
    const auto it = r.query.find(key);
    if (it == r.query.end()) {
        return fallback;
    }
    try {
        return std::stoi(it->second);
    } catch (const std::exception&) {
        return fallback;
    }
}

}  // namespace

fake_github::fake_github(std::string repo, std::string token)
    : repo_(std::move(repo)), token_(std::move(token)),
      server_(std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); })) {}

fake_github::~fake_github() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_github::api_url() const { return server_->base_url() + "/"; }

void fake_github::set_head(std::string branch, std::string sha) {
    std::lock_guard lock(mutex_);
    branch_ = std::move(branch);
    sha_ = std::move(sha);
}

void fake_github::set_check_runs(std::vector<fake_check_run> runs) {
    std::lock_guard lock(mutex_);
    runs_ = std::move(runs);
}

void fake_github::set_statuses(std::vector<fake_commit_status> statuses) {
    std::lock_guard lock(mutex_);
    statuses_ = std::move(statuses);
}

void fake_github::set_page_size(int n) {
    std::lock_guard lock(mutex_);
    page_size_ = std::max(1, n);
}

void fake_github::rate_limit_next(std::int64_t reset_epoch) {
    std::lock_guard lock(mutex_);
    rate_limit_reset_ = reset_epoch;
}

sim::response fake_github::handle(const sim::request& request) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (request.header("Authorization") != "Bearer " + token_) {
        return github_error(401, "Bad credentials");
    }
    std::lock_guard lock(mutex_);
    if (rate_limit_reset_) {
        auto r = github_error(403, "API rate limit exceeded for user ID 1.");
        r.headers.emplace_back("X-RateLimit-Limit", "5000");
        r.headers.emplace_back("X-RateLimit-Remaining", "0");
        r.headers.emplace_back("X-RateLimit-Reset", std::to_string(*rate_limit_reset_));
        r.headers.emplace_back("X-RateLimit-Used", "5000");
        rate_limit_reset_.reset();
        return r;
    }
    const std::string prefix = "/repos/" + repo_ + "/commits/";
    if (request.method != "GET" || !request.path.starts_with(prefix)) {
        return github_error(404, "Not Found");
    }
    // The ref may itself contain '/', so split on the known endpoint suffixes.
    const std::string_view rest = std::string_view(request.path).substr(prefix.size());
    std::string_view ref;
    bool runs = false;
    if (rest.ends_with("/check-runs")) {
        ref = rest.substr(0, rest.size() - std::string_view("/check-runs").size());
        runs = true;
    } else if (rest.ends_with("/status")) {
        ref = rest.substr(0, rest.size() - std::string_view("/status").size());
    } else {
        return github_error(404, "Not Found");
    }
    if (ref != branch_ && ref != sha_) {
        return github_error(422, "No commit found for SHA: " + std::string(ref));
    }
    return runs ? check_runs(request, sha_) : combined_status(sha_);
}

sim::response fake_github::check_runs(const sim::request& request, const std::string& sha) {
    std::vector<const fake_check_run*> selected;
    const auto status_filter = request.query.find("status");
    for (const auto& run : runs_) {
        if (status_filter == request.query.end() || status_filter->second == run.status) {
            selected.push_back(&run);
        }
    }
    const int per_page = std::clamp(query_int(request, "per_page", 30), 1, std::min(100, page_size_));
    const int total = static_cast<int>(selected.size());
    const int last_page = std::max(1, (total + per_page - 1) / per_page);
    const int page = std::max(1, query_int(request, "page", 1));
    json::array list;
    for (int i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) {
        const auto& run = *selected[static_cast<size_t>(i)];
        list.push_back(json::object{{"id", i + 1},
                                    {"head_sha", sha},
                                    {"name", run.name},
                                    {"status", run.status},
                                    {"conclusion", run.conclusion ? json::value(*run.conclusion) : json::value()},
                                    {"html_url", run.html_url},
                                    {"details_url", run.html_url},
                                    {"started_at", "2026-11-26T10:00:00Z"},
                                    {"completed_at", run.status == "completed" ? json::value("2026-11-26T10:04:00Z")
                                                                                 : json::value()}});
    }
    auto response = sim::response::json(200, json::object{{"total_count", total}, {"check_runs", list}});
    // GitHub's Link header: next/last (and prev/first) URLs carrying the same query with page=N (§5.3).
    auto page_url = [&](int n) {
        std::string url = server_->base_url() + request.path + "?";
        if (request.query.contains("filter")) {
            url += "filter=" + request.query.at("filter") + "&";
        }
        return "<" + url + "per_page=" + std::to_string(per_page) + "&page=" + std::to_string(n) + ">";
    };
    std::vector<std::string> links;
    if (page > 1) {
        links.push_back(page_url(page - 1) + "; rel=\"prev\"");
        links.push_back(page_url(1) + "; rel=\"first\"");
    }
    if (page < last_page) {
        links.push_back(page_url(page + 1) + "; rel=\"next\"");
        links.push_back(page_url(last_page) + "; rel=\"last\"");
    }
    if (!links.empty()) {
        std::string value;
        for (const auto& l : links) {
            value += (value.empty() ? "" : ", ") + l;
        }
        response.headers.emplace_back("Link", value);
    }
    return response;
}

sim::response fake_github::combined_status(const std::string& sha) {
    // failure if any context is error/failure, pending if none or any pending, else success (§5.3 [G1]).
    std::string state = statuses_.empty() ? "pending" : "success";
    json::array list;
    int id = 1;
    for (const auto& s : statuses_) {
        if (s.state == "error" || s.state == "failure") {
            state = "failure";
        } else if (s.state == "pending" && state != "failure") {
            state = "pending";
        }
        list.push_back(json::object{{"id", id++},
                                    {"state", s.state},
                                    {"description", s.description},
                                    {"target_url", s.target_url},
                                    {"context", s.context}});
    }
    return sim::response::json(200, json::object{{"state", state},
                                                 {"statuses", list},
                                                 {"sha", sha},
                                                 {"total_count", static_cast<int>(statuses_.size())}});
}

}  // namespace opsbot::testing
