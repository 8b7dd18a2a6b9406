#include "commands/grammar/router.hpp"

#include "commands/grammar/help.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "commands/grammar/policy.hpp"
#include "commands/grammar/tokenizer.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::commands {

namespace {

reply error_reply(std::string text) { return reply{std::move(text), false, true}; }

reply not_available(const parsed_command& command) {
    return reply{code_span(command.display_name()) + " is not available yet in this build.", false, false};
}

/// Logs a refusal (no raw command text: it could hold anything) and turns it into an ephemeral reply.
reply refuse(const invocation& inv, std::string_view what, const error& why) {
    spdlog::warn("command refused: user={} channel={} command={} reason={}", inv.user.str(), inv.channel.str(), what,
                 why.message);
    return error_reply(why.message);
}

/// The name of a help reply: "deploy", "deploy status".
std::string help_key(const family_spec& family, const help_request& help) {
    return family.name + (help.subcommand != nullptr ? " " + help.subcommand->name : "");
}

}  // namespace

command_router::command_router(const stack_config& config, const family_set& families)
    : config_(config), families_(families) {
    for (const family_spec* f : families_.specs()) {
        family_help_.emplace(f->name, family_help(*f, config_));
    }
}

routed command_router::route(const invocation& inv) const {
    routed out;
    const command_family* served = families_.by_command(inv.command);
    if (served == nullptr) {
        spdlog::warn("unknown slash command from user={}: {}", inv.user.str(), inv.command.substr(0, 40));
        std::string commands;
        for (const family_spec* f : families_.specs()) {
            commands += (commands.empty() ? "`" : ", `") + f->command + "`";
        }
        out.immediate =
            error_reply("Unknown command " + code_span(inv.command) + ". This bot serves " + commands + ".");
        return out;
    }
    const family_spec* family = &served->spec;
    auto tokens = tokenize(inv.text);
    if (!tokens) {
        out.immediate = error_reply(tokens.error().message + "\n" + usage_line(*family));
        return out;
    }
    if (auto help = detect_help(*family, *tokens)) {
        out.immediate.text = help->subcommand != nullptr ? subcommand_help(*family, *help->subcommand, config_)
                                                         : family_help_.at(family->name);
        out.constant_key = help_key(*family, *help);
        return out;
    }
    if (auto allowed = check_run(*family, config_, inv.user); !allowed) {
        out.immediate = refuse(inv, family->command, allowed.error());
        return out;
    }
    auto parsed = parse_command(*family, *tokens, config_, families_.specs());
    if (!parsed) {
        out.immediate = error_reply(parsed.error().message);
        return out;
    }
    parsed->user = inv.user;
    parsed->channel = inv.channel;
    if (auto where = check_channel(*family, *parsed, config_); !where) {
        out.immediate = refuse(inv, parsed->display_name(), where.error());
        return out;
    }
    if (auto glass = check_break_glass(*family, *parsed, config_); !glass) {
        out.immediate = refuse(inv, parsed->display_name(), glass.error());
        return out;
    }
    out.parsed = std::move(*parsed);
    if (!out.parsed.implemented || served->binding(out.parsed.subcommand) == nullptr) {
        out.immediate = not_available(out.parsed);
        return out;
    }
    out.immediate = reply{"Working on " + code_span(out.parsed.display_name()) + "\xE2\x80\xA6", false, false};
    out.needs_work = true;
    return out;
}

std::string command_router::constant_key(const invocation& inv) const {
    const command_family* served = families_.by_command(inv.command);
    if (served == nullptr) {
        return {};
    }
    auto tokens = tokenize(inv.text);
    if (!tokens) {
        return {};
    }
    auto help = detect_help(served->spec, *tokens);
    return help ? help_key(served->spec, *help) : std::string();
}

reply command_router::execute(const routed& r, const command_context& context) const {
    return families_.answer(r.parsed, context);
}

}  // namespace opsbot::commands
