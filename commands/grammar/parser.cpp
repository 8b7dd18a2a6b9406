#include "commands/grammar/parser.hpp"

#include "commands/grammar/mrkdwn.hpp"

#include <algorithm>

namespace opsbot::commands {

namespace {

bool is_help_word(const token& t) {
    if (t.quoted) {
        return false;
    }
    std::string word = to_lower(t.text);
    return word == "help" || word == "--help" || word == "-h";
}

bool is_flag(const token& t) { return !t.quoted && t.text.size() > 2 && t.text.starts_with("--"); }

std::string usage_code(std::string_view raw) { return "`" + escape_mrkdwn(raw) + "`"; }

std::string sub_display(const family_spec& family, const subcommand_spec& sub) {
    return sub.name.empty() ? family.command : family.command + " " + sub.name;
}

std::unexpected<error> usage_error(std::string message, const std::string& usage) {
    return fail(error_kind::invalid_input, std::move(message) + "\n" + usage);
}

/// True when some family accepts this flag: then the message says "not accepted here", not "unknown".
bool known_anywhere(std::string_view name, const std::vector<const family_spec*>& others) {
    for (const family_spec* family : others) {
        for (const auto& sub : family->subcommands) {
            if (sub.find_flag(name) != nullptr) {
                return true;
            }
        }
    }
    return false;
}

struct chosen {
    const subcommand_spec* sub = nullptr;
    std::size_t first_arg = 0;  ///< index of the first token after the keyword
};

result<chosen> choose_subcommand(const family_spec& family, const std::vector<token>& tokens,
                                 const stack_config& config) {
    const subcommand_spec* fallback = family.default_form();
    if (tokens.empty()) {
        if (fallback != nullptr) {
            return chosen{fallback, 0};
        }
        return usage_error("Missing subcommand for " + family.command + ".", usage_line(family));
    }
    const token& first = tokens.front();
    if (!is_flag(first)) {
        if (const subcommand_spec* sub = family.find(first.text)) {
            return chosen{sub, 1};
        }
    }
    if (fallback != nullptr) {
        // `/deploy foo`: foo is neither a keyword nor a service, so call it an unknown subcommand.
        bool has_named = std::ranges::any_of(family.subcommands, [](const auto& s) { return !s.name.empty(); });
        if (has_named && !is_flag(first) && !fallback->args.empty() &&
            !validate_value(fallback->args.front().kind, first.text, config)) {
            return usage_error("Unknown subcommand " + code_span(first.text) + " for " + family.command + ".",
                               usage_line(family));
        }
        return chosen{fallback, 0};
    }
    if (is_flag(first)) {
        return usage_error("Missing subcommand for " + family.command + ".", usage_line(family));
    }
    return usage_error("Unknown subcommand " + code_span(first.text) + " for " + family.command + ".",
                       usage_line(family));
}

}  // namespace

std::optional<std::string> parsed_command::arg(std::string_view name) const {
    auto it = args.find(std::string(name));
    if (it == args.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string parsed_command::display_name() const {
    std::string base = command.empty() ? "/" + family : command;
    return subcommand.empty() ? base : base + " " + subcommand;
}

std::string usage_line(const family_spec& family) {
    return "Usage: " + usage_code(family.command + " " + family.usage());
}

std::string usage_line(const family_spec& family, const subcommand_spec& sub) {
    std::string usage = sub.usage();
    return "Usage: " + usage_code(usage.empty() ? family.command : family.command + " " + usage);
}

std::optional<help_request> detect_help(const family_spec& family, const std::vector<token>& tokens) {
    if (tokens.empty()) {
        const subcommand_spec* fallback = family.default_form();
        bool runs_bare = fallback != nullptr &&
                         std::ranges::none_of(fallback->args, [](const arg_spec& a) { return a.required; });
        if (runs_bare) {
            return std::nullopt;
        }
        return help_request{};
    }
    auto it = std::ranges::find_if(tokens, is_help_word);
    if (it == tokens.end()) {
        return std::nullopt;
    }
    if (it != tokens.begin() && !is_flag(tokens.front())) {
        if (const subcommand_spec* sub = family.find(tokens.front().text)) {
            return help_request{sub};
        }
    }
    return help_request{};
}

result<parsed_command> parse_command(const family_spec& family, const std::vector<token>& tokens,
                                     const stack_config& config, const std::vector<const family_spec*>& others) {
    auto choice = choose_subcommand(family, tokens, config);
    if (!choice) {
        return std::unexpected(choice.error());
    }
    const subcommand_spec& sub = *choice->sub;
    const std::string usage = usage_line(family, sub);
    const std::string where = code_span(sub_display(family, sub));

    parsed_command out;
    out.family = family.name;
    out.command = family.command;
    out.subcommand = sub.name;
    out.implemented = sub.implemented;

    std::vector<std::string> positionals;
    for (std::size_t i = choice->first_arg; i < tokens.size(); ++i) {
        const token& t = tokens[i];
        if (!is_flag(t)) {
            positionals.push_back(t.text);
            continue;
        }
        std::string_view body = std::string_view(t.text).substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            inline_value = std::string(body.substr(eq + 1));
            body = body.substr(0, eq);
        }
        std::string name = to_lower(body);
        const flag_spec* flag = sub.find_flag(name);
        if (flag == nullptr) {
            std::string shown = code_span("--" + std::string(body));
            return usage_error(known_anywhere(name, others) ? shown + " is not accepted by " + where + "."
                                                    : "Unknown flag " + shown + " for " + where + ".",
                               usage);
        }
        if (out.flags.contains(name)) {
            return usage_error(code_span("--" + name) + " was given twice.", usage);
        }
        if (flag->value_placeholder.empty()) {
            if (inline_value) {
                return usage_error(code_span("--" + name) + " takes no value.", usage);
            }
            out.flags[name] = "";
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= tokens.size() || is_flag(tokens[i + 1])) {
                return usage_error(code_span("--" + name) + " needs a value: " +
                                       code_span("--" + name + " " + flag->value_placeholder) + ".",
                                   usage);
            }
            inline_value = tokens[++i].text;
        }
        auto value = validate_value(arg_kind::text, *inline_value, config);
        if (!value) {
            return usage_error(value.error().message, usage);
        }
        out.flags[name] = *value;
    }

    std::size_t next = 0;
    for (const arg_spec& arg : sub.args) {
        if (next >= positionals.size()) {
            if (arg.required) {
                return usage_error("Missing " + code_span(arg.placeholder) + " for " + where + ".", usage);
            }
            if (!arg.default_value.empty()) {
                out.args[arg.name] = arg.default_value;
            }
            continue;
        }
        std::string raw = positionals[next++];
        // A free-text argument takes the rest of the words, so an unquoted reason still works.
        if (arg.kind == arg_kind::text) {
            for (; next < positionals.size(); ++next) {
                raw += " " + positionals[next];
            }
        }
        auto value = validate_value(arg.kind, raw, config);
        if (!value) {
            return usage_error(value.error().message, usage);
        }
        out.args[arg.name] = *value;
    }
    if (next < positionals.size()) {
        return usage_error("Unexpected argument " + code_span(positionals[next]) + " for " + where + ".", usage);
    }

    switch (sub.destructive) {
        case destructiveness::never:
            out.destructive = false;
            break;
        case destructiveness::always:
            out.destructive = true;
            break;
        case destructiveness::in_production:
            out.destructive = out.arg("env") == "production";
            break;
    }
    return out;
}

}  // namespace opsbot::commands
