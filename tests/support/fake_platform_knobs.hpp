#pragma once

#include "sim/http_server.hpp"

#include <chrono>
#include <cstdint>
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

/// A process-wide increasing number: fakes stamp each recorded write/call with it so a test can order
/// events seen by different fakes ("revoked only after both platforms were written").
std::uint64_t next_fake_sequence();

/// One key-lifecycle call seen by a provider fake (fake_resend, fake_openai, fake_posthog), in arrival order.
struct fake_key_call {
    std::uint64_t seq = 0;  ///< next_fake_sequence(): comparable across fakes
    std::string kind;       ///< "list" | "create" | "verify" | "revoke"
    std::string key_id;     ///< the key made / revoked / used to verify ("" when unknown)
    int status = 0;         ///< the HTTP status answered
};

/// Per-kind failure knobs of the provider fakes: fail the next `count` calls of one kind with `status`.
class fake_call_failures {
public:
    void fail(const std::string& kind, int status, int count = 1);
    /// The status to answer for this call, consuming one failure; nullopt when none is queued.
    std::optional<int> take(const std::string& kind);

private:
    std::mutex mutex_;
    std::vector<std::pair<std::string, int>> queued_;
};

/// Counts recorded requests with this method whose path starts with `path_prefix`.
size_t count_requests(const std::vector<sim::request>& requests, std::string_view method, std::string_view path_prefix);

}  // namespace opsbot::testing
