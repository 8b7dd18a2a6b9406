#pragma once

#include "adapters/http_client.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <memory>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// A key made by a provider's API (docs/platforms.md §6). `value` is the secret: it lives in memory only, is never
/// logged, never stored, never shown; `id` is what revoke_key() takes (safe to log and audit): the key's id at
/// Resend, the service account's id at OpenAI (a service account's key goes away only with the account).
struct issued_key {
    std::string id;
    std::string value;
};

/// A provider that makes and revokes its own API keys (Resend, OpenAI service-account keys, PostHog project
/// token reset). The key id is never the secret. Errors follow the HTTP client's mapping; messages never
/// contain a key value.
class secret_provider {
public:
    virtual ~secret_provider() = default;

    /// "resend", "openai", "posthog".
    virtual std::string name() const = 0;

    /// Ids of the keys this rotation replaces (those to revoke once the new key is verified): only the keys this
    /// bot manages (name prefix / service account from secret_config.provider), never unrelated keys. Keys this
    /// process made in an earlier rotation are listed too; call it before create_key() so the new one is not.
    virtual result<std::vector<std::string>> existing_key_ids() = 0;

    /// Makes a new key labelled `label` (e.g. "opsbot-20261127-101500"). The request is sent once: when its answer
    /// is lost or unclear (unknown_outcome, bad_response) a key may exist whose value nobody saw: cleanup_unused().
    virtual result<issued_key> create_key(const std::string& label) = 0;

    /// Revokes every key (OpenAI: service account) that create_key(label) would have named — its opsbot name for
    /// this run — except `keep_id` (empty: keep none), and returns the ids revoked. For the caller whose create got
    /// no clear answer: the key it may have made can never be used (its value was not seen), so it must not stay
    /// valid. Keys of other runs and unrelated keys are never touched.
    virtual result<std::vector<std::string>> cleanup_unused(const std::string& /*label*/,
                                                            const std::string& /*keep_id*/) {
        if (create_revokes_old()) {
            return std::vector<std::string>{};  // a reset leaves no second key behind
        }
        return fail(error_kind::unavailable, name() + " cannot find the keys it made");
    }

    /// A cheap authenticated call made with `value` to prove the new key works; unavailable when the provider
    /// has no such call (the plan then relies on the health check).
    virtual result<void> verify_key(const std::string& value) = 0;

    /// Revokes one key by id. Idempotent: a key already gone (404) is success.
    virtual result<void> revoke_key(const std::string& id) = 0;

    /// What an id of this provider names, for messages: "key", or "service account" at OpenAI.
    virtual std::string id_noun() const { return "key"; }

    /// True when making a new key invalidates the old one at once (PostHog's reset_token): there is no window
    /// where both work, and nothing is left to revoke.
    virtual bool create_revokes_old() const { return false; }
};

/// The real providers. `admin_token` is the value of secret.provider["token_env"]; `http` must outlive them.
/// Settings come from secret.provider (api_url, and per provider: Resend `key_name`, `permission`;
/// OpenAI `project_id`, `key_name`, `service_account_id` (an account made before opsbot managed the key: the first
/// rotation deletes it); PostHog `project_id`).
std::unique_ptr<secret_provider> make_resend_provider(const secret_config& secret, std::string admin_token,
                                                      http_client& http);
std::unique_ptr<secret_provider> make_openai_provider(const secret_config& secret, std::string admin_token,
                                                      http_client& http);
std::unique_ptr<secret_provider> make_posthog_provider(const secret_config& secret, std::string admin_token,
                                                       http_client& http);

/// `bytes` random bytes from OpenSSL's CSPRNG (RAND_bytes) as lower-case hex, as `openssl rand -hex N`.
/// Throws std::runtime_error only if the CSPRNG fails (it does not on a working system).
std::string random_hex(std::size_t bytes);

}  // namespace opsbot::adapters
