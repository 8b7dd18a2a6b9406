#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::testing {

/// What the secret-provider fakes (fake_resend, fake_openai, fake_posthog) share: the loopback server, the
/// record of key calls, the failure knobs and the switch that makes error bodies quote the presented bearer.
class fake_provider_base {
public:
    fake_provider_base(const fake_provider_base&) = delete;
    fake_provider_base& operator=(const fake_provider_base&) = delete;

    /// Every key-lifecycle call seen, in arrival order.
    std::vector<fake_key_call> calls() const;
    /// Error bodies quote the bearer the request presented (to prove the adapter never repeats it).
    void echo_secrets_in_errors(bool on = true);
    /// Fail the next `count` calls of `kind` ("list" | "create" | "verify" | "revoke") with `status`.
    void fail_next(const std::string& kind, int status, int count = 1) { failures_.fail(kind, status, count); }
    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const;

protected:
    fake_provider_base() = default;
    ~fake_provider_base() = default;

    /// Starts the loopback server with `handler`: the last thing a fake's constructor does.
    void start(std::function<sim::response(const sim::request&)> handler);
    /// Ends held requests and stops the server: the first thing a fake's destructor does, before the state
    /// its handler reads goes away.
    void stop();
    /// "http://127.0.0.1:PORT"
    std::string server_url() const;
    /// Records one call; the caller holds mutex_.
    void record(const std::string& kind, const std::string& key_id, int status);
    /// The token of `Authorization: Bearer <token>`, or "".
    static std::string bearer_of(const sim::request& r);

    fake_knobs knobs_;
    fake_call_failures failures_;
    mutable std::mutex mutex_;  ///< guards calls_, echo_ and the fake's own state
    std::vector<fake_key_call> calls_;
    bool echo_ = false;

private:
    std::unique_ptr<sim::http_server> server_;
};

}  // namespace opsbot::testing
