#pragma once

#include "config/config.hpp"

#include <map>
#include <string>

namespace opsbot::bot {

/// The `platform` label of opsbot_platform_calls_total by URL authority (adapters::url_authority), from every base
/// URL the config names: vercel, railway, health (the services' /health and web URLs), sentry, betterstack, github,
/// and the secret providers (resend, openai, posthog) with their default hosts when the config sets none. Tests and
/// air-gapped users point these at their own servers, so the label follows the config, not well-known host names.
std::map<std::string, std::string> platform_labels(const stack_config& config);

}  // namespace opsbot::bot
