// The top-level sections of the stack description (docs/design.md "The stack description"), except services and
// secrets (config/services.cpp).

#include "config/walk.hpp"
#include "core/prisma_command.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace opsbot::config_detail {
namespace {

constexpr std::array<std::string_view, 7> command_families{"deploy", "rollback", "rotate", "migrate",
                                                           "backup", "audit",    "incident"};

bool all_upper_alnum(std::string_view s) {
    return std::ranges::all_of(s, [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
    });
}

// Public channels are C…, private channels G…; the envelopes carry ids, never names (docs/slack.md).
void read_channel(walker& w, const json::value& v, const std::string& path, std::string& out) {
    std::string id;
    if (!w.read_string(v, path, id)) {
        return;
    }
    if (id.size() < 3 || (id[0] != 'C' && id[0] != 'G') || !all_upper_alnum(id)) {
        w.problem(path, fmt::format("\"{}\" is not a Slack channel id: use the id (like C0123OPS) from the "
                                    "channel's details, not its #name",
                                    id));
        return;
    }
    out = id;
}

void read_group_ref(walker& w, const json::value& v, const std::string& path, const known_names& names,
                    std::string& out) {
    if (!w.read_string(v, path, out)) {
        return;
    }
    if (std::ranges::find(names.groups, out) == names.groups.end()) {
        w.problem(path, names.groups.empty()
                            ? fmt::format("group \"{}\" is not defined: add it to groups", out)
                            : fmt::format("group \"{}\" is not defined in groups (defined: {})", out,
                                          fmt::join(names.groups, ", ")));
    }
}

void read_slack(walker& w, const json::value& v, const std::string& path, slack_config& out) {
    const field fields[] = {
        {"app_token_env", [&](auto& x, auto& p) { w.read_env_name(x, p, out.app_token_env); }, true,
         "the environment variable holding the app-level token (xapp-…)"},
        {"bot_token_env", [&](auto& x, auto& p) { w.read_env_name(x, p, out.bot_token_env); }, true,
         "the environment variable holding the bot token (xoxb-…)"},
        {"api_url", [&](auto& x, auto& p) { w.read_url(x, p, out.api_url); }},
        {"ops_channel", [&](auto& x, auto& p) { read_channel(w, x, p, out.ops_channel); }, true,
         "the channel id where destructive commands run"},
        {"incident_channel", [&](auto& x, auto& p) { read_channel(w, x, p, out.incident_channel); }, true,
         "the channel id that receives failures, rollbacks and rotations"},
        {"audit_channel", [&](auto& x, auto& p) { read_channel(w, x, p, out.audit_channel); }},
    };
    w.walk_object(v, path, fields);
}

void read_groups(walker& w, const json::value& v, const std::string& path, stack_config& config) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [name, members] : *obj) {
        std::string group_path = join_path(path, name);
        std::vector<std::string> ids;
        if (!w.read_string_array(members, group_path, ids, true)) {
            continue;
        }
        for (size_t i = 0; i < ids.size(); ++i) {
            const std::string& id = ids[i];
            bool shaped = id.size() >= 3 && (id[0] == 'U' || id[0] == 'W' || id[0] == 'S') && all_upper_alnum(id);
            if (!shaped) {
                w.problem(index_path(group_path, i),
                          fmt::format("\"{}\" is not a Slack user id (U…/W…) or user-group id (S…)", id));
            }
        }
        config.groups[std::string(name)] = std::move(ids);
    }
}

void read_policy(walker& w, const json::value& v, const std::string& path, const known_names& names,
                 policy_config& out) {
    const field fields[] = {
        {"run", [&](auto& x, auto& p) { read_group_ref(w, x, p, names, out.run); }},
        {"approve", [&](auto& x, auto& p) { read_group_ref(w, x, p, names, out.approve); }},
        {"approvals", [&](auto& x, auto& p) { w.read_int(x, p, out.approvals, 1); }},
        {"expires_after", [&](auto& x, auto& p) { w.read_duration(x, p, out.expires_after); }},
        {"channels",
         [&](auto& x, auto& p) {
             std::vector<std::string> raw;
             if (w.read_string_array(x, p, raw, true)) {
                 for (size_t i = 0; i < raw.size(); ++i) {
                     std::string id;
                     read_channel(w, json::value(raw[i]), index_path(p, i), id);
                     if (!id.empty()) {
                         out.channels.push_back(id);
                     }
                 }
             }
         }},
        {"break_glass", [&](auto& x, auto& p) { w.read_bool(x, p, out.break_glass); }},
    };
    w.walk_object(v, path, fields);
}

void read_policies(walker& w, const json::value& v, const std::string& path, const known_names& names,
                   stack_config& config) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    std::vector<std::string_view> families(command_families.begin(), command_families.end());
    for (const auto& [family, policy] : *obj) {
        std::string family_path = join_path(path, family);
        if (std::ranges::find(command_families, std::string_view(family)) == command_families.end()) {
            std::string hint = suggest(family, families);
            w.problem(family_path, hint.empty() ? fmt::format("unknown command family (known: {})",
                                                              fmt::join(command_families, ", "))
                                                : fmt::format("unknown command family (did you mean {}?)", hint));
            continue;
        }
        policy_config parsed;
        read_policy(w, policy, family_path, names, parsed);
        config.policies[std::string(family)] = std::move(parsed);
    }
}

/// `database`: the bot's own state (issue 14). A string is the SQLite file; an object is PostgreSQL and holds only
/// url_env, the environment variable with the URL: the password never sits in this file, nor is it echoed back.
void read_database(walker& w, const json::value& v, const std::string& path, stack_config& config) {
    if (v.is_string()) {
        std::string file;
        if (!w.read_string(v, path, file)) {
            return;
        }
        std::string lower = file;
        std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
            // It would be taken for an SQLite file name; and it likely holds a password, so it is not quoted.
            w.problem(path, "is a PostgreSQL URL, which must not be in this file (it holds the password): put it in "
                            "an environment variable and write \"database\": { \"url_env\": \"OPSBOT_DATABASE_URL\" }");
            return;
        }
        config.database = std::move(file);
        return;
    }
    if (!v.is_object()) {
        w.problem(path, fmt::format("must be the SQLite file (a string, e.g. \"opsbot.db\") or, for PostgreSQL, "
                                    "{{ \"url_env\": \"OPSBOT_DATABASE_URL\" }}; not {}",
                                    type_name(v)));
        return;
    }
    const json::object& obj = v.get_object();
    for (const auto& [key, value] : obj) {
        const std::string key_path = join_path(path, key);
        if (key == "url_env") {
            w.read_env_name(value, key_path, config.database_url_env);
        } else if (key == "url") {
            w.problem(key_path, "never the URL here (it holds the password): put it in an environment variable and "
                                "name that variable with url_env");
        } else if (key == "path" || key == "file") {
            w.problem(key_path, "the database is one or the other: an SQLite file (\"database\": \"opsbot.db\") or "
                                "PostgreSQL ({ \"url_env\": \"OPSBOT_DATABASE_URL\" }), not both");
        } else {
            w.problem(key_path, "unknown key: the PostgreSQL form takes only url_env, the environment variable "
                                "holding the URL");
        }
    }
    if (!obj.contains("url_env")) {
        w.problem(join_path(path, "url_env"), "required: the environment variable holding the PostgreSQL URL of the "
                                              "bot's state, e.g. OPSBOT_DATABASE_URL");
    }
}

void read_databases(walker& w, const json::value& v, const std::string& path, stack_config& config) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [name, entry] : *obj) {
        database_config db;
        const field fields[] = {
            {"url_env", [&](auto& x, auto& p) { w.read_env_name(x, p, db.url_env); }, true,
             "the environment variable holding this database's PostgreSQL URL"},
        };
        w.walk_object(entry, join_path(path, name), fields);
        config.databases[std::string(name)] = std::move(db);
    }
}

void read_deploy_command(walker& w, const json::value& v, const std::string& path, migrations_config& out) {
    std::vector<std::string> argv;
    if (!w.read_string_array(v, path, argv, false)) {
        return;
    }
    if (auto destructive = destructive_prisma_command(argv)) {
        w.problem(path, fmt::format("must not run {}: it can drop production data (runbook §4); use "
                                    "[\"npx\", \"prisma\", \"migrate\", \"deploy\"]",
                                    *destructive));
        return;
    }
    out.deploy_command = std::move(argv);
}

void read_migrations(walker& w, const json::value& v, const std::string& path, migrations_config& out) {
    const field fields[] = {
        {"workdir", [&](auto& x, auto& p) { w.read_string(x, p, out.workdir); }, true,
         "the directory that holds prisma/migrations/"},
        {"deploy_command", [&](auto& x, auto& p) { read_deploy_command(w, x, p, out); }},
        {"backup_dir", [&](auto& x, auto& p) { w.read_string(x, p, out.backup_dir); }},
        {"timeout", [&](auto& x, auto& p) { w.read_duration(x, p, out.timeout); }},
        {"pg_dump", [&](auto& x, auto& p) { w.read_string(x, p, out.pg_dump); }},
        {"pg_restore", [&](auto& x, auto& p) { w.read_string(x, p, out.pg_restore); }},
        {"env_passthrough", [&](auto& x, auto& p) { w.read_string_array(x, p, out.env_passthrough, true); }},
    };
    w.walk_object(v, path, fields);
}

void read_monitoring(walker& w, const json::value& v, const std::string& path, monitoring_config& out) {
    const field fields[] = {
        {"sentry",
         [&](auto& x, auto& p) {
             sentry_config s;
             const field sf[] = {
                 {"api_url", [&](auto& y, auto& q) { w.read_url(y, q, s.api_url); }},
                 {"token_env", [&](auto& y, auto& q) { w.read_env_name(y, q, s.token_env); }, true,
                  "the environment variable holding a Sentry API token"},
                 {"org", [&](auto& y, auto& q) { w.read_string(y, q, s.org); }, true, "the Sentry organization slug"},
                 {"project", [&](auto& y, auto& q) { w.read_string(y, q, s.project); }, true,
                  "the Sentry project slug"},
             };
             if (w.walk_object(x, p, sf)) {
                 out.sentry = std::move(s);
             }
         }},
        {"betterstack",
         [&](auto& x, auto& p) {
             betterstack_config b;
             const field bf[] = {
                 {"api_url", [&](auto& y, auto& q) { w.read_url(y, q, b.api_url); }},
                 {"token_env", [&](auto& y, auto& q) { w.read_env_name(y, q, b.token_env); }, true,
                  "the environment variable holding a BetterStack Uptime API token"},
             };
             if (w.walk_object(x, p, bf)) {
                 out.betterstack = std::move(b);
             }
         }},
        {"github",
         [&](auto& x, auto& p) {
             github_config g;
             const field gf[] = {
                 {"api_url", [&](auto& y, auto& q) { w.read_url(y, q, g.api_url); }},
                 {"token_env", [&](auto& y, auto& q) { w.read_env_name(y, q, g.token_env); }},
                 {"repo",
                  [&](auto& y, auto& q) {
                      if (w.read_string(y, q, g.repo)) {
                          auto slash = g.repo.find('/');
                          if (slash == 0 || slash == std::string::npos || slash + 1 == g.repo.size() ||
                              g.repo.find('/', slash + 1) != std::string::npos) {
                              w.problem(q, fmt::format("\"{}\" must be owner/name", g.repo));
                          }
                      }
                  },
                  true, "the repository as owner/name"},
                 {"branch", [&](auto& y, auto& q) { w.read_string(y, q, g.branch); }},
             };
             if (w.walk_object(x, p, gf)) {
                 out.github = std::move(g);
             }
         }},
        {"watch_minutes",
         [&](auto& x, auto& p) {
             int minutes = out.watch_minutes;
             // A day at most: a longer watch would outlive any deploy it is about.
             if (w.read_int(x, p, minutes, 1) && minutes > 1440) {
                 w.problem(p, fmt::format("must be at most 1440 minutes (a day), got {}", minutes));
             } else if (minutes <= 1440) {
                 out.watch_minutes = minutes;
             }
         }},
        {"watch_new_issues_threshold", [&](auto& x, auto& p) { w.read_int(x, p, out.watch_new_issues_threshold, 1); }},
    };
    w.walk_object(v, path, fields);
}

std::vector<std::string> object_keys(const json::object& root, std::string_view section) {
    std::vector<std::string> keys;
    if (const auto* v = root.if_contains(section); v != nullptr && v->is_object()) {
        for (const auto& entry : v->get_object()) {
            keys.emplace_back(entry.key());
        }
    }
    return keys;
}

/// Whole seconds, 0 (report at once) to an hour: a supervisor kills a process that takes longer than its own stop
/// timeout (systemd's TimeoutStopSec, 90 s by default), so a longer grace would only be cut short.
void read_shutdown_grace(walker& w, const json::value& v, const std::string& path, std::chrono::seconds& out) {
    int seconds = 0;
    if (!w.read_int(v, path, seconds, 0)) {
        return;
    }
    if (seconds > 3600) {
        w.problem(path, fmt::format("must be at most 3600 seconds (an hour), got {}; the service manager's stop "
                                    "timeout must also be longer than it",
                                    seconds));
        return;
    }
    out = std::chrono::seconds{seconds};
}

/// Whole seconds, 3 to 600 (issue 14 item 2): a replica renews its lease every third of it, and another takes its
/// work over once it ran out — within the lease of its death, so a long lease only delays that.
void read_replica_lease(walker& w, const json::value& v, const std::string& path, std::chrono::seconds& out) {
    int seconds = 0;
    if (!w.read_int(v, path, seconds, 3)) {
        return;
    }
    if (seconds > 600) {
        w.problem(path, fmt::format("must be at most 600 seconds (10 minutes), got {}: a dead replica's work is "
                                    "taken over only once its lease ran out",
                                    seconds));
        return;
    }
    out = std::chrono::seconds{seconds};
}

}  // namespace

void read_root(const json::value& root, walker& w, stack_config& config) {
    if (!root.is_object()) {
        w.problem("(top level)", fmt::format("the stack description must be an object {{ … }}, not {}",
                                             type_name(root)));
        return;
    }
    known_names names{object_keys(root.get_object(), "groups"), object_keys(root.get_object(), "services")};
    const field fields[] = {
        {"slack", [&](auto& x, auto& p) { read_slack(w, x, p, config.slack); }, true,
         "the Slack section (app_token_env, bot_token_env, ops_channel, incident_channel)"},
        {"database", [&](auto& x, auto& p) { read_database(w, x, p, config); }, true,
         "the bot's own state: an SQLite file, e.g. \"opsbot.db\", or PostgreSQL, "
         "{ \"url_env\": \"OPSBOT_DATABASE_URL\" }"},
        {"groups", [&](auto& x, auto& p) { read_groups(w, x, p, config); }},
        {"policies", [&](auto& x, auto& p) { read_policies(w, x, p, names, config); }},
        {"services", [&](auto& x, auto& p) { read_services(x, p, w, config); }},
        {"databases", [&](auto& x, auto& p) { read_databases(w, x, p, config); }},
        {"migrations",
         [&](auto& x, auto& p) {
             migrations_config m;
             read_migrations(w, x, p, m);
             config.migrations = std::move(m);
         }},
        {"secrets", [&](auto& x, auto& p) { read_secrets(x, p, w, names, config); }},
        {"monitoring", [&](auto& x, auto& p) { read_monitoring(w, x, p, config.monitoring); }},
        {"http", [&](auto& x, auto& p) { read_http(x, p, w, config); }},
        {"shutdown_grace", [&](auto& x, auto& p) { read_shutdown_grace(w, x, p, config.shutdown_grace); }},
        {"replica_lease", [&](auto& x, auto& p) { read_replica_lease(w, x, p, config.replica_lease); }},
    };
    w.walk_object(root, "", fields);
    check_env_passthrough(w, config);
}

}  // namespace opsbot::config_detail
