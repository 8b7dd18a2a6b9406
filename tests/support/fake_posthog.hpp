#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A protocol-faithful PostHog project endpoint on loopback (platforms.md §6 [K7]):
/// PATCH /api/projects/{id}/reset_token/ with a personal API key (Bearer) replaces the project token and answers
/// the project with its new `api_token`; the old token stops working at once. Errors are DRF-shaped
/// {"type","code","detail","attr"}: 401 authentication_failed, 403 permission_denied, 404 not_found.
/// Resets are recorded as "create" calls.
class fake_posthog {
public:
    struct options {
        std::string personal_key = "phx_PersonalTestKey0000000000";
        std::string project_id = "12345";
        std::string initial_token = "phc_InitialProjectToken000000";
    };

    fake_posthog();
    explicit fake_posthog(options o);
    ~fake_posthog();
    fake_posthog(const fake_posthog&) = delete;
    fake_posthog& operator=(const fake_posthog&) = delete;

    /// "http://127.0.0.1:PORT": the secret's provider.api_url.
    std::string base_url() const;
    const options& settings() const { return options_; }

    /// The project token now valid, and every token the project had, oldest first.
    std::string current_token() const;
    std::vector<std::string> tokens() const;
    std::vector<fake_key_call> calls() const;

    /// Error bodies quote the bearer the request presented (to prove the adapter never repeats it).
    void echo_secrets_in_errors(bool on = true);
    /// Fail the next `count` resets with `status`.
    void fail_next(const std::string& kind, int status, int count = 1) { failures_.fail(kind, status, count); }
    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const;

private:
    sim::response handle(const sim::request& r);
    sim::response error(int status, std::string type, std::string code, std::string detail,
                        const std::string& bearer) const;

    options options_;
    fake_knobs knobs_;
    fake_call_failures failures_;
    mutable std::mutex mutex_;
    std::vector<std::string> tokens_;
    std::vector<fake_key_call> calls_;
    bool echo_ = false;
    std::unique_ptr<sim::http_server> server_;  // last: stopped first
};

}  // namespace opsbot::testing
