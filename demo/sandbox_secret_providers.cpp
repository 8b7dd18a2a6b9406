// SANDBOX ONLY (`opsbot demo`): the demo's secrets and their providers. See sandbox_secret_providers.hpp.
#include "demo/sandbox_secret_providers.hpp"

#include "fakes/memory_secret_provider.hpp"

namespace opsbot::demo {

std::map<std::string, std::unique_ptr<adapters::secret_provider>> make_sandbox_secret_providers(
    const std::map<std::string, secret_config>& secrets) {
    std::map<std::string, std::unique_ptr<adapters::secret_provider>> out;
    for (const auto& [name, secret] : secrets) {
        if (is_provider(secret.generate)) {
            out[name] = std::make_unique<fakes::memory_secret_provider>(std::string(to_string(secret.generate)));
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
