// A protocol-faithful fake of Sentry's organisation issues endpoint (platforms.md §5.1, §7).
#include "tests/support/fake_sentry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string_view>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

sim::response sentry_error(int status, std::string_view detail) {
    return sim::response::json(status, json::object{{"detail", detail}});
}

std::string encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

// All fake times are UTC; comparing the first 19 characters (YYYY-MM-DDTHH:MM:SS) orders them.
std::string comparable(std::string_view iso) { return std::string(iso.substr(0, std::min<size_t>(19, iso.size()))); }

}  // namespace

fake_sentry::fake_sentry(std::string org, std::string project_id, std::string token)
    : org_(std::move(org)), project_id_(std::move(project_id)), token_(std::move(token)),
      server_(std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); })) {}

fake_sentry::~fake_sentry() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_sentry::api_url() const { return server_->base_url() + "/api/0/"; }

void fake_sentry::set_issues(std::vector<fake_sentry_issue> issues) {
    std::lock_guard lock(mutex_);
    issues_ = std::move(issues);
}

void fake_sentry::set_page_size(int n) {
    std::lock_guard lock(mutex_);
    page_size_ = std::max(1, n);
}

void fake_sentry::set_apply_first_seen(bool on) {
    std::lock_guard lock(mutex_);
    apply_first_seen_ = on;
}

sim::response fake_sentry::handle(const sim::request& request) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (request.header("Authorization") != "Bearer " + token_) {
        return sentry_error(401, "Invalid token");
    }
    const std::string path = "/api/0/organizations/" + org_ + "/issues/";
    if (request.method != "GET" || request.path != path) {
        return sentry_error(404, "The requested resource does not exist");
    }
    std::lock_guard lock(mutex_);
    auto param = [&](const std::string& key) {
        const auto it = request.query.find(key);
        return it == request.query.end() ? std::string() : it->second;
    };
    if (!param("project").empty() && param("project") != project_id_) {
        return sentry_error(403, "You do not have permission to perform this action.");
    }
    // Search terms the adapter sends: is:unresolved and firstSeen:>=<ISO>.
    bool unresolved_only = false;
    std::string first_seen_min;
    std::istringstream terms(param("query"));
    for (std::string term; terms >> term;) {
        if (term == "is:unresolved") {
            unresolved_only = true;
        } else if (term.starts_with("firstSeen:>=")) {
            first_seen_min = comparable(term.substr(std::string_view("firstSeen:>=").size()));
        }
    }
    std::vector<const fake_sentry_issue*> matching;
    for (const auto& issue : issues_) {
        if ((param("environment").empty() || issue.environment == param("environment")) &&
            (!unresolved_only || issue.status == "unresolved") &&
            (!apply_first_seen_ || first_seen_min.empty() || comparable(issue.first_seen) >= first_seen_min)) {
            matching.push_back(&issue);
        }
    }
    // Cursor "<value>:<offset>:<is_prev>"; the fake uses the offset only.
    size_t offset = 0;
    if (const auto cursor = param("cursor"); !cursor.empty()) {
        const auto first = cursor.find(':');
        const auto second = cursor.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) {
            return sentry_error(400, "Invalid cursor parameter.");
        }
        offset = std::stoul(cursor.substr(first + 1, second - first - 1));
    }
    const size_t page = static_cast<size_t>(page_size_);
    json::array list;
    for (size_t i = offset; i < std::min(matching.size(), offset + page); ++i) {
        const auto& issue = *matching[i];
        list.push_back(json::object{
            {"id", issue.id},
            {"shortId", issue.short_id},
            {"title", issue.title},
            {"culprit", issue.culprit},
            {"permalink", "https://sentry.io/organizations/" + org_ + "/issues/" + issue.id + "/"},
            {"level", issue.level},
            {"status", issue.status},
            {"count", std::to_string(issue.count)},
            {"userCount", issue.user_count},
            {"firstSeen", issue.first_seen},
            {"lastSeen", issue.last_seen.empty() ? issue.first_seen : issue.last_seen},
            {"project", json::object{{"id", project_id_}, {"name", "api"}, {"slug", "api"}}}});
    }
    // Both links always present; results says whether following it yields anything (§5.1 [S8]).
    std::string base = server_->base_url() + path + "?";
    for (const auto& [key, value] : request.query) {
        if (key != "cursor") {
            base += encode(key) + "=" + encode(value) + "&";
        }
    }
    const std::string prev_cursor = "0:" + std::to_string(offset >= page ? offset - page : 0) + ":1";
    const std::string next_cursor = "0:" + std::to_string(offset + page) + ":0";
    const bool has_prev = offset > 0;
    const bool has_next = offset + page < matching.size();
    auto response = sim::response::json(200, list);
    response.headers.emplace_back(
        "Link", "<" + base + "cursor=" + prev_cursor + ">; rel=\"previous\"; results=\"" + (has_prev ? "true" : "false") +
                    "\"; cursor=\"" + prev_cursor + "\", <" + base + "cursor=" + next_cursor +
                    ">; rel=\"next\"; results=\"" + (has_next ? "true" : "false") + "\"; cursor=\"" + next_cursor +
                    "\"");
    return response;
}

}  // namespace opsbot::testing
