#include "tests/support/fake_platform_knobs.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>

namespace opsbot::testing {

bool request_match::matches(const sim::request& r) const {
    if (!method.empty() && r.method != method) {
        return false;
    }
    return contains.empty() || r.path.find(contains) != std::string::npos ||
           r.body.find(contains) != std::string::npos;
}

void fake_knobs::act_then_fail(int status, request_match which) {
    sim::response r = sim::response::text(status, "<html><body><h1>" + std::to_string(status) +
                                                      " (gateway error)</h1></body></html>");
    r.headers.emplace_back("Content-Type", "text/html");
    std::lock_guard lock(mutex_);
    after_.push_back({std::move(which), std::move(r)});
}

void fake_knobs::act_then_drop(request_match which) {
    sim::response r;
    r.drop_connection = true;
    std::lock_guard lock(mutex_);
    after_.push_back({std::move(which), std::move(r)});
}

size_t fake_knobs::acted_then_failed() const {
    std::lock_guard lock(mutex_);
    return fired_;
}

sim::response fake_knobs::finish(const sim::request& r, sim::response answer) {
    std::unique_lock lock(mutex_);
    if (hold_answer_ && hold_answer_->matches(r) && !shut_down_) {
        hold_answer_.reset();
        answer_held_ = true;
        ++held_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !answer_held_ || shut_down_; });
        --held_;
    }
    for (auto it = after_.begin(); it != after_.end(); ++it) {
        if (it->which.matches(r)) {
            auto replaced = std::move(it->response);
            after_.erase(it);
            ++fired_;
            return replaced;
        }
    }
    return answer;
}

void fake_knobs::fail_next(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
    sim::response r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json");
    r.headers.insert(r.headers.end(), std::make_move_iterator(headers.begin()), std::make_move_iterator(headers.end()));
    r.body = std::move(body);
    std::lock_guard lock(mutex_);
    queued_.push_back({std::move(r)});
}

void fake_knobs::rate_limit_next(int retry_after_seconds) {
    const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch() + std::chrono::seconds(retry_after_seconds))
                           .count();
    boost::json::object body{{"error", boost::json::object{{"code", "rate_limited"},
                                                           {"message", "Rate limit exceeded, retry later"},
                                                           {"limit", {{"remaining", 0}, {"reset", reset}}}}}};
    fail_next(429, boost::json::serialize(body),
              {{"Retry-After", std::to_string(retry_after_seconds)},
               {"X-RateLimit-Limit", "100"},
               {"X-RateLimit-Remaining", "0"},
               {"X-RateLimit-Reset", std::to_string(reset)}});
}

void fake_knobs::malformed_next() {
    std::lock_guard lock(mutex_);
    queued_.push_back({sim::response::text(200, "{\"deployments\": [ {\"uid\": \"dpl_trunc")});
}

void fake_knobs::graphql_error_next(std::string message) {
    boost::json::object body{{"data", nullptr},
                             {"errors", boost::json::array{boost::json::object{{"message", std::move(message)}}}}};
    std::lock_guard lock(mutex_);
    queued_.push_back({sim::response::json(200, body)});
}

void fake_knobs::block() {
    std::lock_guard lock(mutex_);
    blocked_ = true;
}

void fake_knobs::hold_answer(request_match which) {
    std::lock_guard lock(mutex_);
    hold_answer_ = std::move(which);
}

void fake_knobs::release() {
    {
        std::lock_guard lock(mutex_);
        blocked_ = false;
        answer_held_ = false;
    }
    cv_.notify_all();
}

bool fake_knobs::wait_blocked(size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return held_ >= n; });
}

void fake_knobs::delay_each(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

std::vector<std::chrono::steady_clock::time_point> fake_knobs::arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
}

std::optional<sim::response> fake_knobs::intercept() {
    std::unique_lock lock(mutex_);
    arrivals_.push_back(std::chrono::steady_clock::now());
    if (delay_.count() > 0 && !shut_down_) {
        // The platform's own slowness, not a synchronisation: each connection has its thread (sim::http_server).
        cv_.wait_for(lock, delay_, [&] { return shut_down_; });
    }
    if (blocked_ && !shut_down_) {
        ++held_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !blocked_ || shut_down_; });
        --held_;
        if (shut_down_) {
            sim::response dropped;
            dropped.drop_connection = true;
            return dropped;
        }
    }
    if (queued_.empty()) {
        return std::nullopt;
    }
    auto r = std::move(queued_.front().response);
    queued_.pop_front();
    return r;
}

void fake_knobs::shut_down() {
    {
        std::lock_guard lock(mutex_);
        shut_down_ = true;
    }
    cv_.notify_all();
}

void fake_call_failures::fail(const std::string& kind, int status, int count) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < count; ++i) {
        queued_.emplace_back(kind, status);
    }
}

std::optional<int> fake_call_failures::take(const std::string& kind) {
    std::lock_guard lock(mutex_);
    for (auto it = queued_.begin(); it != queued_.end(); ++it) {
        if (it->first == kind) {
            const int status = it->second;
            queued_.erase(it);
            return status;
        }
    }
    return std::nullopt;
}

std::uint64_t next_fake_sequence() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

size_t count_requests(const std::vector<sim::request>& requests, std::string_view method,
                      std::string_view path_prefix) {
    return static_cast<size_t>(std::count_if(requests.begin(), requests.end(), [&](const sim::request& r) {
        return r.method == method && std::string_view(r.path).starts_with(path_prefix);
    }));
}

}  // namespace opsbot::testing
