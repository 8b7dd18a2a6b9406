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

/// Which requests an "act, then fail" knob applies to.
struct request_match {
    std::string method;    ///< "" = any
    std::string contains;  ///< a text the path or the body contains ("deploymentRollback", "/rollback/"); "" = any

    bool matches(const sim::request& r) const;
};

/// Failure knobs shared by every fake (platforms, monitoring, secret providers). Thread-safe: the loopback server
/// calls intercept() and finish() from its connection threads while the test turns knobs.
class fake_knobs {
public:
    /// The next request is answered with this status and body (JSON), whatever it asked, with `headers` added:
    /// a 429 with `Retry-After` and the platform's rate-limit headers, as the real services send (issue 16 item 5).
    void fail_next(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {});
    /// The next request is refused as rate-limited the way the platforms do: HTTP 429, `Retry-After: <seconds>`,
    /// `X-RateLimit-Limit`/`-Remaining: 0`/`-Reset` (epoch seconds) and a JSON body naming the limit.
    void rate_limit_next(int retry_after_seconds);
    /// The next request gets HTTP 200 with a body that is not JSON.
    void malformed_next();
    /// The next GraphQL request gets HTTP 200 {"data":null,"errors":[{"message":…}]}.
    void graphql_error_next(std::string message);
    /// From now on requests are held unanswered until release() (timeouts).
    void block();
    void release();
    /// From now on every request is answered `delay` after it arrived (a slow platform: bench/starvation); 0: at once.
    void delay_each(std::chrono::milliseconds delay);
    /// When each request reached the fake (before any delay), in arrival order.
    std::vector<std::chrono::steady_clock::time_point> arrivals() const;
    /// Waits until at least `n` requests are being held by block(); false after `limit`.
    bool wait_blocked(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10));

    /// The next request matching `which` is handled as usual — the fake applies it, as the platform would — and
    /// then answered with `status` (a text body) instead: a gateway's 5xx after the platform acted.
    void act_then_fail(int status, request_match which = {});
    /// The same, but the connection is then closed without any answer.
    void act_then_drop(request_match which = {});
    /// The next request matching `which` is applied, and its answer then held until release(): a step caught
    /// *acting* (its request reached the platform, its answer has not come back). Counted by wait_blocked().
    void hold_answer(request_match which);
    /// How many act-then knobs fired so far.
    size_t acted_then_failed() const;

    /// Called first by a fake's handler: blocks while blocked, then returns a canned answer if one is queued.
    std::optional<sim::response> intercept();
    /// Called by the fake's server with the answer its handler made: replaces it when an act-then knob matches.
    sim::response finish(const sim::request& r, sim::response answer);
    /// Ends every wait (the fake is being destroyed).
    void shut_down();

private:
    struct canned {
        sim::response response;
    };
    struct after_acting {
        request_match which;
        sim::response response;
    };
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<canned> queued_;
    std::deque<after_acting> after_;
    size_t fired_ = 0;
    std::chrono::milliseconds delay_{0};
    std::vector<std::chrono::steady_clock::time_point> arrivals_;
    bool blocked_ = false;
    std::optional<request_match> hold_answer_;
    bool answer_held_ = false;
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
