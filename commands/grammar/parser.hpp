#pragma once

#include "commands/grammar/command_spec.hpp"
#include "commands/grammar/tokenizer.hpp"
#include "config/config.hpp"
#include "core/ids.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::commands {

/// A command that passed the grammar and validation. Values are canonical: service and secret names
/// as spelled in the config, environments lower-case, action ids as "A-<n>".
struct parsed_command {
    std::string family;      ///< "deploy"
    std::string command;     ///< "/deploy", as the family's spec spells it
    std::string subcommand;  ///< "status"; empty for the family's default form
    std::map<std::string, std::string> args;   ///< by arg_spec::name, e.g. {"service","web"},{"env","production"}
    std::map<std::string, std::string> flags;  ///< "dry-run" -> "", "break-glass" -> reason
    bool destructive = false;
    bool implemented = false;
    user_id user;        ///< who asked
    channel_id channel;  ///< where

    bool has_flag(std::string_view name) const { return flags.contains(std::string(name)); }
    bool dry_run() const { return has_flag("dry-run"); }
    /// The argument's value, or nullopt when absent (optional without default).
    std::optional<std::string> arg(std::string_view name) const;
    /// "/deploy lock" or "/rollback" (no arguments: safe to log and show).
    std::string display_name() const;
};

/// Which help to show: a whole family, or one subcommand of it.
struct help_request {
    const subcommand_spec* subcommand = nullptr;  ///< nullptr: the family's help
};

/// `help` (unquoted, any position), `--help` or `-h` anywhere, or empty text for a family whose every form
/// needs an argument. Decided before any policy check: help is always allowed.
std::optional<help_request> detect_help(const family_spec& family, const std::vector<token>& tokens);

/// Grammar + validation against the config. The error (kind invalid_input) is ready-to-send mrkdwn:
/// a short sentence, user text escaped inside code spans, then "Usage: `…`".
/// `others` are the other families' specs: a flag one of them takes is "not accepted here", not "unknown".
result<parsed_command> parse_command(const family_spec& family, const std::vector<token>& tokens,
                                     const stack_config& config, const std::vector<const family_spec*>& others = {});

/// "Usage: `/deploy status | check | …`" (escaped mrkdwn).
std::string usage_line(const family_spec& family);
std::string usage_line(const family_spec& family, const subcommand_spec& sub);

/// Validates one value against its kind; returns the canonical value or a short mrkdwn error (no usage line).
result<std::string> validate_value(arg_kind kind, std::string_view value, const stack_config& config);

}  // namespace opsbot::commands
