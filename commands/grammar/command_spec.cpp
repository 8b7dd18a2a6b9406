#include "commands/grammar/command_spec.hpp"


#include <algorithm>

namespace opsbot::commands {

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

std::string subcommand_spec::usage() const {
    std::string out = name;
    for (const auto& arg : args) {
        if (!out.empty()) {
            out += ' ';
        }
        out += arg.placeholder;
    }
    for (const auto& flag : flags) {
        if (!out.empty()) {
            out += ' ';
        }
        out += "[--" + flag.name;
        if (!flag.value_placeholder.empty()) {
            out += ' ' + flag.value_placeholder;
        }
        out += ']';
    }
    return out;
}

const flag_spec* subcommand_spec::find_flag(std::string_view flag) const {
    for (const auto& f : flags) {
        if (f.name == flag) {
            return &f;
        }
    }
    return nullptr;
}

std::string family_spec::usage() const {
    std::string out;
    for (const auto& sub : subcommands) {
        if (!out.empty()) {
            out += " | ";
        }
        out += sub.usage();
    }
    out += out.empty() ? "help" : " | help";
    return out;
}

const subcommand_spec* family_spec::find(std::string_view keyword) const {
    std::string key = to_lower(keyword);
    for (const auto& sub : subcommands) {
        if (!sub.name.empty() && sub.name == key) {
            return &sub;
        }
    }
    return nullptr;
}

const subcommand_spec* family_spec::default_form() const {
    for (const auto& sub : subcommands) {
        if (sub.name.empty()) {
            return &sub;
        }
    }
    return nullptr;
}

bool family_spec::has_destructive() const {
    return std::ranges::any_of(subcommands,
                               [](const subcommand_spec& s) { return s.destructive != destructiveness::never; });
}

}  // namespace opsbot::commands
