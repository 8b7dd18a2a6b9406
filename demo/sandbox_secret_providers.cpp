// SANDBOX ONLY (`opsbot demo`): in-memory secret providers. See sandbox_secret_providers.hpp.
#include "demo/sandbox_secret_providers.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::demo {

sandbox_secret_provider::sandbox_secret_provider(std::string kind) : kind_(std::move(kind)) {
    keys_.push_back({kind_ == "posthog" ? "project-sandbox" : fmt::format("{}-key-{:04d}", kind_, next_id_++),
                     "opsbot-previous", new_value(), false});
}

std::string sandbox_secret_provider::new_value() const {
    // Shaped like the provider's keys so the redactor treats them as the real thing.
    const auto random = adapters::random_hex(20);
    if (kind_ == "resend") {
        return "re_" + random;
    }
    if (kind_ == "openai") {
        return "sk-svcacct-" + random;
    }
    return "phc_" + random;
}

result<std::vector<std::string>> sandbox_secret_provider::existing_key_ids() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    if (kind_ == "posthog") {
        return ids;  // one project token, replaced by the reset
    }
    for (const auto& k : keys_) {
        if (!k.revoked) {
            ids.push_back(k.id);
        }
    }
    return ids;
}

result<adapters::issued_key> sandbox_secret_provider::create_key(const std::string& label) {
    std::lock_guard lock(mutex_);
    if (kind_ == "posthog") {
        for (auto& k : keys_) {
            k.revoked = true;  // reset_token invalidates the old token at once
        }
    }
    key k{kind_ == "posthog" ? "project-sandbox" : fmt::format("{}-key-{:04d}", kind_, next_id_++), label, new_value(),
          false};
    keys_.push_back(k);
    spdlog::info("[sandbox] {}: created key {} ({})", kind_, k.id, label);
    return adapters::issued_key{k.id, k.value};
}

result<void> sandbox_secret_provider::verify_key(const std::string& value) {
    if (kind_ == "posthog") {
        return fail(error_kind::unavailable, "PostHog: a project key cannot be checked without sending an event");
    }
    std::lock_guard lock(mutex_);
    if (fail_next_verify_) {
        fail_next_verify_ = false;
        return fail(error_kind::auth, fmt::format("{} (sandbox): the new key was refused (401)", kind_), 401);
    }
    for (const auto& k : keys_) {
        if (k.value == value && !k.revoked) {
            return {};
        }
    }
    return fail(error_kind::auth, fmt::format("{} (sandbox): the key was refused (401)", kind_), 401);
}

result<void> sandbox_secret_provider::revoke_key(const std::string& id) {
    std::lock_guard lock(mutex_);
    for (auto& k : keys_) {
        if (k.id == id) {
            k.revoked = true;
        }
    }
    spdlog::info("[sandbox] {}: key {} revoked", kind_, id);
    return {};  // unknown or already revoked: gone either way
}

void sandbox_secret_provider::fail_next_verify() {
    std::lock_guard lock(mutex_);
    fail_next_verify_ = true;
}

std::vector<std::string> sandbox_secret_provider::live_key_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& k : keys_) {
        if (!k.revoked) {
            ids.push_back(k.id);
        }
    }
    return ids;
}

std::map<std::string, std::unique_ptr<adapters::secret_provider>> make_sandbox_secret_providers(
    const std::map<std::string, secret_config>& secrets) {
    std::map<std::string, std::unique_ptr<adapters::secret_provider>> out;
    for (const auto& [name, secret] : secrets) {
        if (is_provider(secret.generate)) {
            out[name] = std::make_unique<sandbox_secret_provider>(std::string(to_string(secret.generate)));
        }
    }
    return out;
}

std::map<std::string, secret_config> sandbox_secret_configs() {
    std::map<std::string, secret_config> out;
    const auto add = [&](std::string name, std::string generate, std::vector<std::string> services, std::string impact,
                         std::map<std::string, std::string> provider = {}) {
        secret_config s;
        s.name = name;
        s.generate = parse_generator(generate).value();
        s.services = std::move(services);
        s.impact = std::move(impact);
        s.provider = std::move(provider);
        out[std::move(name)] = std::move(s);
    };
    add("BETTER_AUTH_SECRET", "hex32", {"api"}, "All existing sessions are invalidated; users must log in again.");
    add("RESEND_API_KEY", "resend", {"api"}, "None if the new key works; the old key is revoked after the redeploy.",
        {{"token_env", "OPSBOT_DEMO_RESEND_ADMIN_KEY"}, {"permission", "sending_access"}});
    add("OPENAI_API_KEY", "openai", {"api"}, "None if the new key works; the old key is revoked after the redeploy.",
        {{"token_env", "OPSBOT_DEMO_OPENAI_ADMIN_KEY"}, {"project_id", "proj_sandbox"}});
    add("POSTHOG_API_KEY", "posthog", {"api", "web"},
        "The old project key stops at once: events are lost until both services run the new one.",
        {{"token_env", "OPSBOT_DEMO_POSTHOG_PERSONAL_KEY"}, {"project_id", "1"}});
    add("SENTRY_DSN", "manual", {"api", "web"}, "None; the DSN is updated on both platforms.");
    add("SENTRY_AUTH_TOKEN", "manual", {"web"}, "Source-map uploads fail until the web build has the new token.");
    // No reencrypt_command: the demo shows the runbook's refusal for this key.
    add("CREDENTIAL_ENCRYPTION_KEY", "hex32", {"api"},
        "All encrypted tool credentials must be re-encrypted with the new key.");
    return out;
}

}  // namespace opsbot::demo
