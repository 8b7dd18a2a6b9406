#pragma once

// SANDBOX ONLY: the demo's key-making providers, standing in for Resend, OpenAI and PostHog (docs/platforms.md §6) so
// /rotate can be tried with no accounts: the in-memory providers of fakes/ (the unit tests use the same ones).

#include "adapters/secret_provider.hpp"
#include "config/config.hpp"

#include <map>
#include <memory>
#include <string>

namespace opsbot::demo {

/// A sandbox provider for every secret of `secrets` whose generate is resend, openai or posthog, by secret name.
std::map<std::string, std::unique_ptr<adapters::secret_provider>> make_sandbox_secret_providers(
    const std::map<std::string, secret_config>& secrets);

/// The demo's secrets (matching the sandbox platforms' variables): a local one, the three API-made ones, a manual.
std::map<std::string, secret_config> sandbox_secret_configs();

}  // namespace opsbot::demo
