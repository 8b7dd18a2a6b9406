#include "commands/grammar/help.hpp"

#include "commands/grammar/mrkdwn.hpp"
#include "commands/grammar/policy.hpp"

#include <algorithm>

namespace opsbot::commands {

namespace {

std::string usage_code(const family_spec& family, const subcommand_spec& sub) {
    std::string usage = sub.usage();
    return "`" + escape_mrkdwn(usage.empty() ? family.command : family.command + " " + usage) + "` \u2014";
}

std::string example_code(const family_spec& family, const std::string& example) {
    return "`" + escape_mrkdwn(example.empty() ? family.command : family.command + " " + example) + "`";
}

std::string availability(const subcommand_spec& sub) { return sub.implemented ? "" : " _(not available yet)_"; }

template <class Map>
std::string key_list(const Map& map) {
    std::string out;
    for (const auto& [key, value] : map) {
        out += (out.empty() ? "" : ", ") + code_span(key);
    }
    return out;
}

bool uses_kind(const family_spec& family, arg_kind kind) {
    return std::ranges::any_of(family.subcommands, [kind](const subcommand_spec& sub) {
        return std::ranges::any_of(sub.args, [kind](const arg_spec& a) { return a.kind == kind; });
    });
}

std::string flag_lines(const std::vector<const flag_spec*>& flags) {
    std::string out;
    for (const flag_spec* flag : flags) {
        std::string usage = "--" + flag->name + (flag->value_placeholder.empty() ? "" : " " + flag->value_placeholder);
        out += "\n    `" + escape_mrkdwn(usage) + "` " + escape_mrkdwn(flag->description);
    }
    return out;
}

std::string config_lists(const family_spec& family, const stack_config& config) {
    std::string out;
    if (uses_kind(family, arg_kind::service)) {
        out += "\nServices: " + (config.services.empty() ? std::string("none configured") : key_list(config.services));
    }
    if (uses_kind(family, arg_kind::secret)) {
        out += "\nSecrets: " + (config.secrets.empty() ? std::string("none configured") : key_list(config.secrets));
    }
    if (uses_kind(family, arg_kind::environment)) {
        out += "\nEnvironments: `staging`, `production`";
    }
    return out;
}

}  // namespace

std::string family_help(const family_spec& family, const stack_config& config) {
    std::string out = "*" + family.command + "*: " + escape_mrkdwn(family.description);
    std::vector<const flag_spec*> flags;
    std::vector<std::string> examples;
    for (const auto& sub : family.subcommands) {
        out += "\n• " + usage_code(family, sub) + " " + escape_mrkdwn(sub.summary) + availability(sub);
        for (const auto& flag : sub.flags) {
            if (std::ranges::none_of(flags, [&](const flag_spec* f) { return f->name == flag.name; })) {
                flags.push_back(&flag);
            }
        }
        for (const auto& example : sub.examples) {
            examples.push_back(example_code(family, example));
        }
    }
    out += "\n• `" + family.command + " help` \u2014 this help; add `help` to any form for its details";
    if (!flags.empty()) {
        out += "\nFlags:" + flag_lines(flags);
    }
    if (!examples.empty()) {
        out += "\nExamples:";
        for (const auto& example : examples) {
            out += (&example == &examples.front() ? " " : ", ") + example;
        }
    }
    out += config_lists(family, config);
    out += "\n" + describe_policy(family, config);
    return out;
}

std::string subcommand_help(const family_spec& family, const subcommand_spec& sub, const stack_config& config) {
    std::string out = usage_code(family, sub) + " " + escape_mrkdwn(sub.summary) + availability(sub);
    if (!sub.flags.empty()) {
        std::vector<const flag_spec*> flags;
        for (const auto& flag : sub.flags) {
            flags.push_back(&flag);
        }
        out += "\nFlags:" + flag_lines(flags);
    }
    if (!sub.examples.empty()) {
        out += "\nExamples:";
        for (const auto& example : sub.examples) {
            out += (&example == &sub.examples.front() ? " " : ", ") + example_code(family, example);
        }
    }
    if (sub.destructive != destructiveness::never) {
        out += sub.destructive == destructiveness::always ? "\nChanges things." : "\nChanges things in production.";
    }
    out += "\n" + describe_policy(family, config);
    return out;
}

}  // namespace opsbot::commands
