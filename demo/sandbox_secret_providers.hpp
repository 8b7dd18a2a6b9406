#pragma once

// SANDBOX ONLY: in-memory key-making providers for `opsbot demo`, standing in for Resend, OpenAI and PostHog
// (docs/platforms.md §6) so /rotate can be tried with no accounts. Nothing here talks to a real provider. They keep
// the real providers' rules: keys have ids distinct from their values, only the bot's keys are listed, verify
// accepts only a live key, revoke is idempotent, PostHog's reset replaces the old token and cannot be verified.

#include "adapters/secret_provider.hpp"
#include "config/config.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::demo {

class sandbox_secret_provider final : public adapters::secret_provider {
public:
    /// `kind` is "resend", "openai" or "posthog"; one existing key (made "last week") is seeded.
    explicit sandbox_secret_provider(std::string kind);

    std::string name() const override { return kind_; }
    result<std::vector<std::string>> existing_key_ids() override;
    result<adapters::issued_key> create_key(const std::string& label) override;
    result<void> verify_key(const std::string& value) override;
    result<void> revoke_key(const std::string& id) override;
    bool create_revokes_old() const override { return kind_ == "posthog"; }

    /// Sandbox knob: the next verify_key fails as if the new key were refused.
    void fail_next_verify();
    /// Ids of keys that still work.
    std::vector<std::string> live_key_ids() const;

private:
    struct key {
        std::string id, label, value;
        bool revoked = false;
    };
    std::string new_value() const;

    std::string kind_;
    mutable std::mutex mutex_;
    std::vector<key> keys_;
    int next_id_ = 1;
    bool fail_next_verify_ = false;
};

/// A sandbox provider for every secret of `secrets` whose generate is resend, openai or posthog, by secret name.
std::map<std::string, std::unique_ptr<adapters::secret_provider>> make_sandbox_secret_providers(
    const std::map<std::string, secret_config>& secrets);

/// The demo's secrets (matching the sandbox platforms' variables): a local one, the three API-made ones, a manual.
std::map<std::string, secret_config> sandbox_secret_configs();

}  // namespace opsbot::demo
