// `migrations.env_passthrough` and `secrets.<NAME>.env_passthrough`: the names of the bot's environment variables
// a child process receives besides the allowlist (docs/design.md "Runtime model": an empty environment plus an
// allowlist and the step's own variables). Checked after the walk, because a name is refused for what other
// sections say it holds.

#include "config/walk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace opsbot::config_detail {
namespace {

// Lower-case names are variables too (http_proxy, no_proxy): letters, digits and _, not starting with a digit.
bool looks_like_variable(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::ranges::all_of(name, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

struct passthrough_rules {
    std::set<std::string> set_by_step;  ///< the step's own variables: the step sets them, the parent's never
    std::set<std::string> secrets;      ///< what the config says holds a secret
    std::set<std::string> database_urls;
    bool database_urls_allowed = false;  ///< a re-encryption works on the app's database and may need its URL
};

void check_list(walker& w, const std::vector<std::string>& names, const std::string& path,
                const passthrough_rules& rules) {
    for (size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        const std::string item = index_path(path, i);
        if (!looks_like_variable(name)) {
            // Never echo it: a value may have been pasted where a name belongs.
            w.problem(item, "must name an environment variable (letters, digits and _, e.g. HTTPS_PROXY)");
        } else if (rules.set_by_step.contains(name)) {
            w.problem(item, fmt::format("{} is set by the step itself; remove it from this list", name));
        } else if (rules.database_urls.contains(name)) {
            if (!rules.database_urls_allowed) {
                w.problem(item, fmt::format("{} holds a database URL: the step gives the command only the URL of the "
                                            "database it changes (as DATABASE_URL or PG* variables)",
                                            name));
            }
        } else if (rules.secrets.contains(name)) {
            w.problem(item, fmt::format("{} holds a secret this config names (a token or a secret's value): a child "
                                        "process never receives it",
                                        name));
        }
    }
}

}  // namespace

void check_env_passthrough(walker& w, const stack_config& config) {
    passthrough_rules rules;
    for (const auto& name : config.secret_env_names()) {
        rules.secrets.insert(name);
    }
    for (const auto& [_, db] : config.databases) {
        rules.database_urls.insert(db.url_env);
    }
    if (config.migrations) {
        rules.set_by_step = {"DATABASE_URL"};
        check_list(w, config.migrations->env_passthrough, "migrations.env_passthrough", rules);
    }
    rules.set_by_step = {"OPSBOT_OLD_SECRET", "OPSBOT_NEW_SECRET"};
    rules.database_urls_allowed = true;
    for (const auto& [name, secret] : config.secrets) {
        check_list(w, secret.env_passthrough, join_path(join_path("secrets", name), "env_passthrough"), rules);
    }
}

}  // namespace opsbot::config_detail
