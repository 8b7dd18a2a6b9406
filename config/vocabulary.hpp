#pragma once
// The words of the configuration that code branches on, typed (issue 13 item 2): a platform or a secret generator
// is compared as an enum, never as a string, and spelled as a string only where the config or a message needs it.

#include <optional>
#include <string_view>

namespace opsbot {

/// Where a service runs (docs/platforms.md).
enum class platform_kind { vercel, railway };

/// How a secret's new value is made (docs/runbook.md §6): random hex, a person, or a provider's API.
enum class secret_generator { hex32, hex16, manual, resend, openai, posthog };

/// "vercel", "railway": as the config spells it.
std::string_view to_string(platform_kind platform);
/// "Vercel", "Railway": as messages name it.
std::string_view display_name(platform_kind platform);
std::optional<platform_kind> parse_platform(std::string_view text);

/// "hex32", …, "posthog": as the config spells it.
std::string_view to_string(secret_generator generator);
/// "Resend", "OpenAI", "PostHog" for the providers; the config word for the others.
std::string_view display_name(secret_generator generator);
std::optional<secret_generator> parse_generator(std::string_view text);
/// Every generator, in the order the config documents them (for messages listing the choices).
inline constexpr secret_generator all_generators[] = {secret_generator::hex32,  secret_generator::hex16,
                                                      secret_generator::manual, secret_generator::resend,
                                                      secret_generator::openai, secret_generator::posthog};
/// True when a provider's API issues (and revokes) the key: resend, openai, posthog.
bool is_provider(secret_generator generator);

}  // namespace opsbot
