#pragma once

#include "tests/support/fake_provider_base.hpp"

#include <string>
#include <vector>

namespace opsbot::testing {

/// A protocol-faithful PostHog project endpoint on loopback (docs/platforms.md §6 [K7]):
/// PATCH /api/projects/{id}/reset_token/ with a personal API key (Bearer) replaces the project token and answers
/// the project with its new `api_token`; the old token stops working at once. Errors are DRF-shaped
/// {"type","code","detail","attr"}: 401 authentication_failed, 403 permission_denied, 404 not_found.
/// Resets are recorded as "create" calls.
class fake_posthog : public fake_provider_base {
public:
    struct options {
        std::string personal_key = "phx_PersonalTestKey0000000000";
        std::string project_id = "12345";
        std::string initial_token = "phc_InitialProjectToken000000";
    };

    fake_posthog();
    explicit fake_posthog(options o);
    ~fake_posthog();

    /// "http://127.0.0.1:PORT": the secret's provider.api_url.
    std::string base_url() const;
    const options& settings() const { return options_; }

    /// The project token now valid, and every token the project had, oldest first.
    std::string current_token() const;
    std::vector<std::string> tokens() const;

private:
    sim::response handle(const sim::request& r);
    sim::response error(int status, std::string type, std::string code, std::string detail,
                        const std::string& bearer) const;

    options options_;
    std::vector<std::string> tokens_;
};

}  // namespace opsbot::testing
