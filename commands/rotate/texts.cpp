// What a /rotate plan tells people: impact before approval, the way back after a failure, and the refusals
// (runbook §6, §8 "Secret Leaked").
#include "commands/rotate/support.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

std::vector<std::string> rotate_impact(const secret_config& secret, const rotate_request& request) {
    std::vector<std::string> out;
    if (!secret.impact.empty()) {
        out.push_back(secret.impact);
    }
    if (secret.name == "BETTER_AUTH_SECRET") {
        out.emplace_back("All sessions are invalidated — users must log in again (runbook §6).");
    }
    if (secret.name == "CREDENTIAL_ENCRYPTION_KEY") {
        out.emplace_back("The new key is first staged on the platform as CREDENTIAL_ENCRYPTION_KEY_NEXT, then the stored "
                         "tool credentials are re-encrypted with it, then it becomes CREDENTIAL_ENCRYPTION_KEY: at no "
                         "point does only opsbot's memory hold the key the credentials need. If the re-encryption "
                         "fails, the old key stays in force.");
    }
    if (secret.generate == secret_generator::resend) {
        out.emplace_back("The old key keeps working until the new one is verified; only then is it revoked.");
    }
    if (secret.generate == secret_generator::openai) {
        // OpenAI deletes a service account's key only with the account (api-specs/openai.json).
        out.emplace_back("A new OpenAI service account is created, its key being the new value. The old service "
                         "account and its key keep working until the new key is verified; only then is it revoked, by "
                         "deleting the old service account.");
    }
    if (secret.generate == secret_generator::posthog) {
        out.emplace_back("PostHog's reset invalidates the old project key at once: events sent with it are lost "
                         "until every service runs with the new key.");
    }
    if (secret.generate == secret_generator::manual) {
        out.emplace_back("A human creates the new value and puts it on the platforms; opsbot waits for `/rotate " +
                         secret.name + " --continue`, redeploys and checks health. Revoking the old one stays a "
                         "checklist item for a human.");
    }
    if (request.reason == "leaked") {
        out.emplace_back("Leaked secret (runbook §8): afterwards check the audit and access logs for the exposure "
                         "window, notify affected users if customer data may have been exposed, and document the "
                         "incident.");
        if (secret.name == "OPENAI_API_KEY") {
            out.emplace_back("Check the OpenAI usage dashboard for unexpected charges.");
        }
    }
    return out;
}

std::string rotate_way_back(const secret_config& secret) {
    const std::string again = fmt::format("re-run `/rotate {}` once the cause is fixed", secret.name);
    if (secret.generate == secret_generator::manual) {
        return fmt::format("Nothing was revoked: services still holding the old {0} keep working. Services that "
                           "hold the new value (listed above) get it on their next deploy: redeploy them from the "
                           "dashboard, or {1}. To go back instead, put the old value back in the platforms' "
                           "variables and redeploy those services.",
                           secret.name, again);
    }
    if (!secret.reencrypt_command.empty()) {
        return fmt::format("Before the re-encryption: the old {0} is in force and the credentials are under it; {0}_NEXT "
                           "may hold an unused key (empty it, or {1}). If the re-encryption ran (see \"Stored "
                           "credentials\" above) and {0} was not written: the credentials are under the key in "
                           "{0}_NEXT — set {0} to that value (Railway variables) and redeploy. After the write: the "
                           "services listed above hold the new key; finish by redeploying them (dashboard) or {1}. "
                           "Never redeploy with the old key once the credentials were re-encrypted.",
                           secret.name, again);
    }
    if (secret.generate == secret_generator::openai) {
        return fmt::format("The old {0} was not revoked (its service account is deleted only after the new key is "
                           "verified), so services still holding it keep working. Either {1} (the next run also "
                           "deletes the unused new service account), or go back: delete the new service account "
                           "(named `opsbot-…`) in the OpenAI dashboard and redeploy the services listed above as "
                           "holding the new value with the old one.",
                           secret.name, again);
    }
    if (secret.generate == secret_generator::resend) {
        return fmt::format("The old {0} was not revoked (revoking comes only after the new key is verified), so "
                           "services still holding it keep working. Either {1} (the next run also revokes the "
                           "unused new key), or go back: delete the new key in the provider's dashboard and redeploy "
                           "the services listed above as holding the new value with the old one.",
                           secret.name, again);
    }
    if (secret.generate == secret_generator::posthog) {
        return fmt::format("PostHog already invalidated the old key: going back is not possible. Get every service "
                           "onto the new key: {0}, or copy the new project key from PostHog (Project settings) into "
                           "the services listed above as still holding the old value, and redeploy them.",
                           again);
    }
    return fmt::format("Running deployments keep the {0} they started with until they are replaced. Services listed "
                       "above as holding the new value get it on their next deploy; {1} (a fresh value is written "
                       "everywhere and every service redeployed).",
                       secret.name, again);
}

result<void> check_rotatable(const stack_config& config, const platform_registry& platforms,
                             const secret_config& secret, const std::string& environment) {
    if (secret.services.empty()) {
        return fail(error_kind::unavailable, fmt::format("`secrets.{}.services` names no service.", secret.name));
    }
    bool on_railway = false;
    for (const auto& name : secret.services) {
        auto it = config.services.find(name);
        if (it == config.services.end()) {
            return fail(error_kind::unavailable,
                        fmt::format("`secrets.{}.services` names `{}`, which is not in `services`.", secret.name, name));
        }
        auto platform = deploy_adapter(platforms, it->second);
        if (!platform) {
            return std::unexpected(platform.error());
        }
        // /rotate writes values, which only the platform-specific interfaces can (adapters/deploy_platform.hpp).
        if ((*platform)->as_vercel() != nullptr) {
            if (environment != "production") {
                return fail(error_kind::unavailable,
                            fmt::format("`{}` runs on Vercel: /rotate only rotates its production value.", name));
            }
        } else if ((*platform)->as_railway() != nullptr) {
            on_railway = true;
            if (!it->second.environments.contains(environment)) {
                return fail(error_kind::unavailable,
                            fmt::format("Railway service `{}` has no `{}` environment in the config.", name, environment));
            }
        } else {
            return fail(error_kind::unavailable, fmt::format("`{}` runs on `{}`, which /rotate does not support.",
                                                             name, display_name((*platform)->kind())));
        }
    }
    const bool provider = is_provider(secret.generate);
    if (provider && !platforms.secret_providers.contains(secret.name)) {
        auto token = secret.provider.find("token_env");
        return fail(error_kind::unavailable,
                    fmt::format("No {} provider for {}: set {} (secrets.{}.provider.token_env) in the bot's "
                                "environment.",
                                display_name(secret.generate), secret.name, token == secret.provider.end() ? "the admin key" : token->second,
                                secret.name));
    }
    if (!secret.reencrypt_command.empty() && !on_railway) {
        return fail(error_kind::unavailable,
                    fmt::format("Re-encrypting {} needs the old key, which opsbot reads from a Railway service; none "
                                "of `secrets.{}.services` is on Railway.",
                                secret.name, secret.name));
    }
    return {};
}

}  // namespace opsbot::commands
