#pragma once

#include "tests/support/fake_provider_base.hpp"

#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// An API key held by fake_resend. `token` is the secret, shown once on creation (docs/platforms.md §6 [K5]).
struct fake_resend_key {
    std::string id;
    std::string name;
    std::string token;
    std::string permission = "full_access";
    std::string domain_id;
    bool revoked = false;
};

/// A protocol-faithful Resend API-keys endpoint on loopback (docs/platforms.md §6, §7): GET/POST /api-keys,
/// DELETE /api-keys/{id}. Bearer auth: a missing key answers 401 missing_api_key, an unknown or revoked one
/// 403 invalid_api_key, a sending_access key on /api-keys 401 restricted_api_key (Resend's codes).
/// Error bodies are {"statusCode","name","message"}. Every list/create/verify/revoke call is recorded with a
/// sequence number (a GET /api-keys with a key other than the admin key counts as "verify").
class fake_resend : public fake_provider_base {
public:
    struct options {
        std::string admin_token = "re_AdminTestToken_0000000000";  ///< a full_access key, pre-registered
    };

    fake_resend();
    explicit fake_resend(options o);
    ~fake_resend();

    /// "http://127.0.0.1:PORT": the secret's provider.api_url.
    std::string base_url() const;
    const options& settings() const { return options_; }

    /// Seeds a key (as if made in the dashboard); returns its id. An empty token gets a generated one.
    std::string add_key(const std::string& name, std::string token = "", std::string permission = "sending_access");
    /// Every key, revoked ones included (revoked = true after DELETE).
    std::vector<fake_resend_key> keys() const;
    std::optional<fake_resend_key> key(const std::string& id) const;

private:
    sim::response handle(const sim::request& r);
    sim::response error(int status, const std::string& name, std::string message, const std::string& bearer) const;
    sim::response list(const fake_resend_key& caller, const std::string& kind);
    sim::response create(const sim::request& r, const std::string& bearer);
    sim::response revoke(const std::string& id, const std::string& bearer);

    options options_;
    std::vector<fake_resend_key> keys_;
    int next_id_ = 1;
};

}  // namespace opsbot::testing
