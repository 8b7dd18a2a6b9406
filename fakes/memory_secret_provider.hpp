#pragma once
// An in-memory key-making provider (no sockets) standing in for Resend, OpenAI or PostHog (docs/platforms.md §6), for
// `opsbot demo` and the unit tests. It keeps the real providers' rules: keys have ids distinct from their values and
// are shaped like the provider's, verify accepts only a live key, revoke is idempotent, and PostHog's reset replaces
// the old token at once and lists nothing to revoke.

#include "adapters/secret_provider.hpp"
#include "fakes/call_log.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace opsbot::fakes {

class memory_secret_provider final : public adapters::secret_provider {
public:
    /// `kind` is "resend", "openai" or "posthog"; one existing key (made "last week") is seeded. `log` may be null;
    /// calls are written to it as "provider.list", "provider.create <label>", "provider.verify",
    /// "provider.revoke <id>".
    explicit memory_secret_provider(std::string kind, call_log* log = nullptr);

    std::string name() const override { return kind_; }
    result<std::vector<std::string>> existing_key_ids() override;
    result<adapters::issued_key> create_key(const std::string& label) override;
    result<void> verify_key(const std::string& value) override;
    result<void> revoke_key(const std::string& id) override;
    bool create_revokes_old() const override { return kind_ == "posthog"; }

    // Seeding.
    /// The keys that exist before any rotation are exactly these ids (none: no key the bot made).
    void set_existing_keys(const std::vector<std::string>& ids);

    // Knobs.
    /// Every verify_key fails as if the new key were refused (401).
    void refuse_verify();
    /// Whether verify_key has a test call; without one it answers unavailable (PostHog has none: its default).
    void set_test_call(bool has_one);

    // What happened.
    /// Ids of keys that still work.
    std::vector<std::string> live_key_ids() const;
    /// The id and value of the newest key made by create_key (empty before one).
    adapters::issued_key last_issued() const;

private:
    struct key {
        std::string id, label, value;
        bool revoked = false;
    };
    std::string new_id();
    std::string new_value() const;
    void record(std::string call);

    std::string kind_;
    call_log* log_;
    mutable std::mutex mutex_;
    std::vector<key> keys_;
    adapters::issued_key last_issued_;
    int next_id_ = 1;
    bool refuse_verify_ = false;
    bool test_call_;
};

}  // namespace opsbot::fakes
