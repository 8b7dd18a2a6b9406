#pragma once

#include "config/vocabulary.hpp"
#include "core/error.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opsbot {

/// The stack description (`--config FILE`, JSON with comments). Field names follow docs/design.md and are
/// a user-facing contract. Secrets are never here: only the names of the environment variables holding them.

struct slack_config {
    std::string app_token_env = "SLACK_APP_TOKEN";
    std::string bot_token_env = "SLACK_BOT_TOKEN";
    std::string api_url = "https://slack.com/api/";
    std::string ops_channel;
    std::string incident_channel;
    /// Optional: where the audit head is posted once a day and at start (issue 12); empty = incident_channel.
    std::string audit_channel;
};

struct policy_config {
    std::string run;                  ///< group allowed to run the family; empty = nobody (default deny)
    std::string approve;              ///< group allowed to approve; empty = not approvable
    int approvals = 1;                ///< distinct approvers needed
    std::chrono::seconds expires_after{std::chrono::minutes{15}};
    std::vector<std::string> channels;  ///< where it may run; empty = default (ops channel for destructive families)
    bool break_glass = false;         ///< requester may skip approval with --break-glass "<reason>"
};

struct service_config {
    std::string name;      ///< key in `services`, e.g. "web", "api"
    platform_kind platform = platform_kind::vercel;
    std::string api_url;
    std::string token_env;
    std::string token_header;  ///< railway: "Bearer" (default) or "Project-Access-Token"
    std::string project_id;
    std::string team_id;     ///< vercel, optional
    std::string service_id;  ///< railway
    std::string url;         ///< public URL of the web app (vercel)
    std::map<std::string, std::string> environments;  ///< env name -> platform environment id (railway)
    std::map<std::string, std::string> health_url;    ///< env name -> /health URL
    /// railway: `verify.log_lines`, text /deploy verify looks for in the live deployment's logs (each worker's
    /// start-up line, runbook §7); empty: no log check.
    std::vector<std::string> verify_log_lines;
};

struct database_config {
    std::string url_env;  ///< env var holding the PostgreSQL URL
};

struct migrations_config {
    std::string workdir;
    std::vector<std::string> deploy_command{"npx", "prisma", "migrate", "deploy"};
    std::string backup_dir = "backups";
    std::chrono::seconds timeout{std::chrono::minutes{15}};
    std::string pg_dump = "pg_dump";
    std::string pg_restore = "pg_restore";
    /// Names of the bot's environment variables the deploy command, pg_dump and pg_restore also receive (when
    /// set), besides PATH, HOME, LANG, LC_* and TZ and the one database URL of the step (e.g. a proxy, a CA file).
    std::vector<std::string> env_passthrough;
};

struct secret_config {
    std::string name;
    secret_generator generate = secret_generator::hex32;
    std::vector<std::string> services;
    std::string impact;
    std::vector<std::string> reencrypt_command;
    /// Names of the bot's environment variables reencrypt_command also receives (when set), besides PATH, HOME,
    /// LANG, LC_* and TZ and OPSBOT_OLD_SECRET / OPSBOT_NEW_SECRET (e.g. the app's database URL variable).
    std::vector<std::string> env_passthrough;
    std::map<std::string, std::string> provider;  ///< provider-specific settings (api_url, token_env, ids)
};

struct sentry_config {
    std::string api_url = "https://sentry.io/api/0/";
    std::string token_env;
    std::string org;
    std::string project;
};

struct betterstack_config {
    std::string api_url = "https://uptime.betterstack.com/api/v2/";
    std::string token_env;
};

struct github_config {
    std::string api_url = "https://api.github.com/";
    std::string token_env;
    std::string repo;
    std::string branch = "main";
};

struct monitoring_config {
    std::optional<sentry_config> sentry;
    std::optional<betterstack_config> betterstack;
    std::optional<github_config> github;
    /// After a deploy, rollback, rotation or site-down recovery the bot carried out, it watches Sentry and
    /// BetterStack this long (runbook §7: "the first 15 minutes"), checking every minute.
    int watch_minutes = 15;
    /// New Sentry issues (first seen after the action finished) that make a watch report to the incident channel.
    int watch_new_issues_threshold = 1;
};

/// `http`: the operators' endpoint (/healthz, /readyz, /metrics), off unless configured. `listen` is
/// "HOST:PORT" with an IP address (IPv6 in brackets) or localhost; ":PORT" listens on 127.0.0.1; port 0 takes any
/// free port (the bot logs it). Loopback unless the address says otherwise.
struct http_config {
    std::string host = "127.0.0.1";
    unsigned short port = 9464;
};

/// Parses an `http.listen` value; the error says what is wrong in words for check-config.
result<http_config> parse_listen_address(std::string_view text);

struct stack_config {
    slack_config slack;
    /// The bot's own state (issue 14): `"database": "opsbot.db"`, an SQLite file (this path), or
    /// `"database": { "url_env": "OPSBOT_DATABASE_URL" }`, PostgreSQL whose URL (with its password) is only in that
    /// environment variable (database_url_env; `database` is then empty). storage/open_database.hpp opens either.
    std::string database;
    std::string database_url_env;
    std::map<std::string, std::vector<std::string>> groups;
    std::map<std::string, policy_config> policies;  ///< per command family
    std::map<std::string, service_config> services;
    std::map<std::string, database_config> databases;
    std::optional<migrations_config> migrations;
    std::map<std::string, secret_config> secrets;
    monitoring_config monitoring;
    std::optional<http_config> http;
    /// `shutdown_grace` (seconds): how long `opsbot run` lets running steps finish after SIGTERM before it reports
    /// what is left interrupted and exits (bot/runtime.cpp, README "Operating opsbot").
    std::chrono::seconds shutdown_grace{30};
    /// `replica_lease` (seconds, 3 to 600): a replica's lease, renewed every third of it; once it ran out, another
    /// replica takes that one's actions over (storage/replica_store.hpp, issue 14 item 2).
    std::chrono::seconds replica_lease{30};

    /// Every environment variable name the config mentions (tokens, database URLs): their values are secrets.
    std::vector<std::string> secret_env_names() const;
    /// True when the state is on PostgreSQL (database_url_env named).
    bool database_on_postgres() const { return !database_url_env.empty(); }
};

/// One problem found in a config, with the JSON path and what to do.
struct config_problem {
    std::string path;     ///< e.g. "services.api.token_env"
    std::string message;  ///< e.g. "RAILWAY_TOKEN is not set"
};

/// Reads a getenv-like lookup; injected so tests do not touch the process environment.
using env_lookup = std::optional<std::string> (*)(const std::string& name);
std::optional<std::string> process_env(const std::string& name);

/// Parses JSON with comments and trailing commas. On success, `problems` may still be non-empty
/// (unknown keys, missing env vars): the config is usable only when it is empty.
struct config_load_result {
    std::optional<stack_config> config;
    std::vector<config_problem> problems;
};
config_load_result parse_config(std::string_view text, env_lookup env = process_env);
config_load_result load_config_file(const std::string& path, env_lookup env = process_env);

/// Parses "15m", "30s", "2h", "1d".
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace opsbot
