#pragma once

// A stack_config built in code, shaped like docs/design.md's example (the config parser is not used here), and the
// bot's family set (bot/families.cpp) for tests that route, parse or render every family.
#include "bot/families.hpp"
#include "config/config.hpp"

#include <string_view>
#include <vector>

namespace opsbot::commands::testing {

/// The families the bot serves.
inline const family_set& families() { return opsbot::bot::opsbot_families(); }

/// Every family's spec, in manifest order.
inline std::vector<family_spec> command_families() {
    std::vector<family_spec> out;
    for (const family_spec* spec : families().specs()) {
        out.push_back(*spec);
    }
    return out;
}

/// The spec of the family named `name`, or nullptr.
inline const family_spec* find_family(std::string_view name) {
    const command_family* f = families().by_name(name);
    return f != nullptr ? &f->spec : nullptr;
}

inline constexpr const char* ops_channel = "C0123OPS";
inline constexpr const char* other_channel = "C0RANDOM";

inline stack_config example_config() {
    stack_config config;
    config.slack.ops_channel = ops_channel;
    config.slack.incident_channel = "C0123INC";
    config.database = "opsbot.db";
    config.groups = {{"deployers", {"U01", "U02", "U03"}}, {"approvers", {"U02", "U03"}}};
    auto approved = [](std::chrono::minutes expiry) {
        policy_config p;
        p.run = "deployers";
        p.approve = "approvers";
        p.expires_after = expiry;
        return p;
    };
    config.policies["deploy"].run = "deployers";
    config.policies["rollback"] = approved(std::chrono::minutes{15});
    config.policies["rotate"] = approved(std::chrono::minutes{15});
    config.policies["migrate"] = approved(std::chrono::minutes{30});
    config.policies["backup"].run = "deployers";
    config.policies["audit"].run = "deployers";
    config.policies["incident"].run = "deployers";
    service_config web;
    web.name = "web";
    web.platform = opsbot::platform_kind::vercel;
    service_config api;
    api.name = "api";
    api.platform = opsbot::platform_kind::railway;
    config.services = {{"web", web}, {"api", api}};
    config.databases = {{"staging", {"STAGING_DATABASE_URL"}}, {"production", {"PRODUCTION_DATABASE_URL"}}};
    for (const char* name : {"BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CREDENTIAL_ENCRYPTION_KEY"}) {
        secret_config secret;
        secret.name = name;
        secret.generate = opsbot::secret_generator::hex32;
        secret.services = {"api"};
        config.secrets[name] = secret;
    }
    return config;
}

}  // namespace opsbot::commands::testing
