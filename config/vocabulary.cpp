#include "config/vocabulary.hpp"

namespace opsbot {

std::string_view to_string(platform_kind platform) {
    switch (platform) {
        case platform_kind::vercel: return "vercel";
        case platform_kind::railway: return "railway";
    }
    return "unknown";
}

std::string_view display_name(platform_kind platform) {
    switch (platform) {
        case platform_kind::vercel: return "Vercel";
        case platform_kind::railway: return "Railway";
    }
    return "unknown";
}

std::optional<platform_kind> parse_platform(std::string_view text) {
    for (auto platform : {platform_kind::vercel, platform_kind::railway}) {
        if (text == to_string(platform)) {
            return platform;
        }
    }
    return std::nullopt;
}

std::string_view to_string(secret_generator generator) {
    switch (generator) {
        case secret_generator::hex32: return "hex32";
        case secret_generator::hex16: return "hex16";
        case secret_generator::manual: return "manual";
        case secret_generator::resend: return "resend";
        case secret_generator::openai: return "openai";
        case secret_generator::posthog: return "posthog";
    }
    return "unknown";
}

std::string_view display_name(secret_generator generator) {
    switch (generator) {
        case secret_generator::resend: return "Resend";
        case secret_generator::openai: return "OpenAI";
        case secret_generator::posthog: return "PostHog";
        default: return to_string(generator);
    }
}

std::optional<secret_generator> parse_generator(std::string_view text) {
    for (auto generator : all_generators) {
        if (text == to_string(generator)) {
            return generator;
        }
    }
    return std::nullopt;
}

bool is_provider(secret_generator generator) {
    return generator == secret_generator::resend || generator == secret_generator::openai ||
           generator == secret_generator::posthog;
}

}  // namespace opsbot
