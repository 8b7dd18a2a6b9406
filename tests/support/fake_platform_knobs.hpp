#pragma once

#include "sim/http_server.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::testing {

/// Failure knobs shared by the platform fakes (fake_vercel, fake_railway, fake_health). Thread-safe:
/// the loopback server calls intercept() from its connection threads while the test turns knobs.
class fake_knobs {
public:
    /// The next request is answered with this status and body (JSON), whatever it asked.
    void fail_next(int status, std::string body);
    /// The next request gets HTTP 200 with a body that is not JSON.
    void malformed_next();
    /// The next GraphQL request gets HTTP 200 {"data":null,"errors":[{"message":…}]}.
    void graphql_error_next(std::string message);
    /// From now on requests are held unanswered until release() (timeouts).
    void block();
    void release();
    /// Waits until at least `n` requests are being held by block(); false after `limit`.
    bool wait_blocked(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10));

    /// Called first by a fake's handler: blocks while blocked, then returns a canned answer if one is queued.
    std::optional<sim::response> intercept();
    /// Ends every wait (the fake is being destroyed).
    void shut_down();

private:
    struct canned {
        sim::response response;
    };
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<canned> queued_;
    bool blocked_ = false;
    bool shut_down_ = false;
    size_t held_ = 0;
};

/// Counts recorded requests with this method whose path starts with `path_prefix`.
size_t count_requests(const std::vector<sim::request>& requests, std::string_view method, std::string_view path_prefix);

}  // namespace opsbot::testing
