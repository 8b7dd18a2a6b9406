#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

/// What kind of value a positional argument holds; decides how it is validated (see parser.hpp).
enum class arg_kind {
    service,          ///< a key of config.services (web, api)
    environment,      ///< staging | production
    secret,           ///< a key of config.secrets
    deployment,       ///< a platform deployment id: [A-Za-z0-9_.:-], at most 128 characters
    count_or_action,  ///< N (1..1000) or an action id A-<n>
    count,            ///< N (1..1000); a handler may bound it further
    text,             ///< free text such as a reason; takes the rest of the words; 1..500 characters
};

/// A positional argument of a subcommand.
struct arg_spec {
    std::string name;  ///< key in parsed_command::args, e.g. "service"
    arg_kind kind = arg_kind::text;
    bool required = true;
    std::string placeholder;    ///< as shown in usage, e.g. "<service>", "[staging|production]"
    std::string default_value;  ///< filled in when an optional argument is absent ("" = stays absent)
};

/// A `--flag` or `--flag VALUE` (also `--flag=VALUE`).
struct flag_spec {
    std::string name;               ///< without dashes: "dry-run"
    std::string value_placeholder;  ///< empty: a switch; otherwise shown in usage, e.g. "\"<reason>\""
    std::string description;
};

/// Whether a subcommand changes something (and so is held to the channel policy and, later, approval).
enum class destructiveness {
    never,
    always,
    in_production,  ///< destructive when its environment argument is (or defaults to) production
};

/// One form of a command family, e.g. `/deploy lock <service> <env> "<reason>"`.
struct subcommand_spec {
    std::string name{};  ///< the keyword; empty for the family's default form (first word is an argument)
    std::vector<arg_spec> args{};
    std::vector<flag_spec> flags{};
    destructiveness destructive = destructiveness::never;
    bool implemented = false;  ///< false: answers "not available yet in this build"
    std::string summary{};     ///< one line for help
    std::vector<std::string> examples{};  ///< text after the command, e.g. "verify staging"

    /// "lock <service> <env> \"<reason>\"" (raw, not mrkdwn-escaped; flags included).
    std::string usage() const;
    const flag_spec* find_flag(std::string_view flag) const;
};

/// One slash command family: the single source of its grammar, help, validation and manifest entry.
/// Who may run / approve and where come from the config's `policies.<name>` (default deny).
struct family_spec {
    std::string name;         ///< "deploy": also the policy key
    std::string command;      ///< "/deploy"
    std::string description;  ///< one line: help header and manifest description
    std::vector<subcommand_spec> subcommands;

    /// "status | check | … | help": every form joined; the manifest's usage_hint. Raw, not escaped.
    std::string usage() const;
    /// The named subcommand (case-insensitive), or nullptr.
    const subcommand_spec* find(std::string_view keyword) const;
    /// The form without a keyword, or nullptr.
    const subcommand_spec* default_form() const;
    /// True when some subcommand is destructive (always or in production).
    bool has_destructive() const;
};

/// ASCII lower-case copy (keywords, environments and names are matched case-insensitively).
std::string to_lower(std::string_view text);

}  // namespace opsbot::commands
