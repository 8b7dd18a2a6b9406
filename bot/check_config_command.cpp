#include "bot/check_config_command.hpp"

#include "core/redactor.hpp"

#include <fmt/format.h>

namespace opsbot::bot {
namespace {

std::string count(size_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

int run_check_config(const std::string& path, std::ostream& out, env_lookup env) {
    auto loaded = load_config_file(path, env);
    // Messages only name variables, never read their values; this local redactor is the second lock on
    // that door, in case a value also appears verbatim in the file (e.g. pasted into a string field).
    redactor local;
    if (loaded.config) {
        for (const auto& name : loaded.config->secret_env_names()) {
            if (auto value = env(name); value && !value->empty()) {
                local.add_secret(*value, name);
            }
        }
    }
    for (const auto& problem : loaded.problems) {
        out << local.redact(problem.path + ": " + problem.message) << "\n";
    }
    if (loaded.config && loaded.problems.empty()) {
        const auto& c = *loaded.config;
        out << fmt::format("config OK: {}, {}, {}\n", count(c.services.size(), "service", "services"),
                           count(c.secrets.size(), "secret", "secrets"),
                           count(c.policies.size(), "policy", "policies"));
        return 0;
    }
    out << count(loaded.problems.size(), "problem", "problems") << " found\n";
    return 1;
}

}  // namespace opsbot::bot
