// A protocol-faithful fake of BetterStack Uptime's monitor list (platforms.md §5.2, §7).
#include "tests/support/fake_betterstack.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace opsbot::testing {

namespace json = boost::json;

fake_betterstack::fake_betterstack(std::string token)
    : token_(std::move(token)),
      server_(std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); })) {}

fake_betterstack::~fake_betterstack() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_betterstack::api_url() const { return server_->base_url() + "/api/v2/"; }

void fake_betterstack::set_monitors(std::vector<fake_monitor> monitors) {
    std::lock_guard lock(mutex_);
    monitors_ = std::move(monitors);
}

void fake_betterstack::set_page_size(int n) {
    std::lock_guard lock(mutex_);
    page_size_ = std::max(1, n);
}

void fake_betterstack::set_link_origin(std::string origin) {
    std::lock_guard lock(mutex_);
    link_origin_ = std::move(origin);
}

sim::response fake_betterstack::handle(const sim::request& request) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (request.header("Authorization") != "Bearer " + token_) {
        return sim::response::json(401, json::object{{"errors", "Invalid Team API token. How to find your Team API "
                                                                "token: https://betterstack.com/docs/uptime/api/"}});
    }
    if (request.method != "GET" || request.path != "/api/v2/monitors") {
        return sim::response::json(404, json::object{{"errors", "Resource type not found"}});
    }
    std::lock_guard lock(mutex_);
    auto number = [&](const std::string& key, int fallback) {
        const auto it = request.query.find(key);
        try {
            return it == request.query.end() ? fallback : std::stoi(it->second);
        } catch (const std::exception&) {
            return fallback;
        }
    };
    const int per_page = std::clamp(number("per_page", 50), 1, std::min(250, page_size_));
    const int total = static_cast<int>(monitors_.size());
    const int last = std::max(1, (total + per_page - 1) / per_page);
    const int page = std::clamp(number("page", 1), 1, last);
    json::array data;
    for (int i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) {
        const auto& m = monitors_[static_cast<size_t>(i)];
        data.push_back(json::object{{"id", m.id},
                                    {"type", "monitor"},
                                    {"attributes", json::object{{"url", m.url},
                                                                {"pronounceable_name", m.name},
                                                                {"monitor_type", "status"},
                                                                {"status", m.status},
                                                                {"last_checked_at", m.last_checked_at},
                                                                {"check_frequency", 30},
                                                                {"paused_at", nullptr}}}});
    }
    const std::string origin = link_origin_.empty() ? server_->base_url() : link_origin_;
    auto page_url = [&](int n) -> json::value {
        return json::value(origin + "/api/v2/monitors?page=" + std::to_string(n) + "&per_page=" +
                           std::to_string(per_page));
    };
    json::object pagination{{"first", page_url(1)},
                            {"last", page_url(last)},
                            {"prev", page > 1 ? page_url(page - 1) : json::value()},
                            {"next", page < last ? page_url(page + 1) : json::value()}};
    return sim::response::json(200, json::object{{"data", data}, {"pagination", pagination}});
}

}  // namespace opsbot::testing
