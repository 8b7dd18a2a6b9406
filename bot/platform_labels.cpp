#include "bot/platform_labels.hpp"

#include "adapters/http_client.hpp"

namespace opsbot::bot {

std::map<std::string, std::string> platform_labels(const stack_config& config) {
    std::map<std::string, std::string> out;
    const auto label = [&out](const std::string& url, std::string_view platform) {
        if (auto authority = adapters::url_authority(url); !authority.empty()) {
            out.emplace(std::move(authority), std::string(platform));  // the first name given to a host stays
        }
    };
    for (const auto& [name, service] : config.services) {
        label(service.api_url, to_string(service.platform));
    }
    for (const auto& [name, service] : config.services) {
        label(service.url, "health");
        for (const auto& [env, url] : service.health_url) {
            label(url, "health");
        }
    }
    const auto& m = config.monitoring;
    if (m.sentry) {
        label(m.sentry->api_url, "sentry");
    }
    if (m.betterstack) {
        label(m.betterstack->api_url, "betterstack");
    }
    if (m.github) {
        label(m.github->api_url, "github");
    }
    // The providers' defaults are in adapters/*_provider.cpp; a provider.api_url replaces them.
    const std::map<secret_generator, std::string_view> provider_defaults{
        {secret_generator::resend, "https://api.resend.com"},
        {secret_generator::openai, "https://api.openai.com/v1"},
        {secret_generator::posthog, "https://us.posthog.com"}};
    for (const auto& [name, secret] : config.secrets) {
        if (auto fallback = provider_defaults.find(secret.generate); fallback != provider_defaults.end()) {
            auto url = secret.provider.find("api_url");
            label(url != secret.provider.end() ? url->second : std::string(fallback->second), to_string(secret.generate));
        }
    }
    return out;
}

}  // namespace opsbot::bot
