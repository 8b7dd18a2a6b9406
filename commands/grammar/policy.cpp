#include "commands/grammar/policy.hpp"

#include "commands/grammar/mrkdwn.hpp"

#include <algorithm>

namespace opsbot::commands {

namespace {

const policy_config* find_policy(const family_spec& family, const stack_config& config) {
    auto it = config.policies.find(family.name);
    return it == config.policies.end() ? nullptr : &it->second;
}

std::string join_mentions(const std::vector<std::string>& channels) {
    std::string out;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        if (i > 0) {
            out += i + 1 == channels.size() ? " or " : ", ";
        }
        out += channel_mention(channels[i]);
    }
    return out;
}

}  // namespace

std::string channel_mention(std::string_view channel) {
    bool well_formed = !channel.empty() && channel.size() <= 32 && std::ranges::all_of(channel, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
    // docs/slack.md §4: `<#C…>` is a control sequence, so only a plain id may be put inside one.
    return well_formed ? "<#" + std::string(channel) + ">" : code_span(channel);
}

result<void> check_run(const family_spec& family, const stack_config& config, const user_id& user) {
    const std::string prefix = "You are not allowed to run " + family.command;
    const policy_config* policy = find_policy(family, config);
    if (policy == nullptr) {
        return fail(error_kind::forbidden, prefix + " (no policy `" + family.name + "` in the config: default deny).");
    }
    if (policy->run.empty()) {
        return fail(error_kind::forbidden, prefix + " (policy " + family.name + ".run is not set: default deny).");
    }
    const std::string named = " (policy " + family.name + ".run = " + escape_mrkdwn(policy->run);
    auto group = config.groups.find(policy->run);
    if (group == config.groups.end()) {
        return fail(error_kind::forbidden, prefix + named + ", a group that is not defined).");
    }
    if (std::ranges::find(group->second, user.str()) == group->second.end()) {
        return fail(error_kind::forbidden, prefix + named + ").");
    }
    return {};
}

std::set<user_id> approvers_of(const std::string& family, const stack_config& config) {
    std::set<user_id> out;
    auto policy = config.policies.find(family);
    if (policy == config.policies.end() || policy->second.approve.empty()) {
        return out;
    }
    if (auto group = config.groups.find(policy->second.approve); group != config.groups.end()) {
        for (const auto& member : group->second) {
            out.insert(user_id(member));
        }
    }
    return out;
}

result<approval_rule> approval_for(std::string_view family, const stack_config& config) {
    const std::string name(family);
    auto policy = config.policies.find(name);
    approval_rule rule;
    rule.family = name;
    rule.approvers = approvers_of(name, config);
    if (policy == config.policies.end() || rule.approvers.empty()) {
        return fail(error_kind::forbidden, "`/" + name + "` needs a second person, but `policies." + name +
                                               ".approve` names no group with members.");
    }
    rule.approve_group = policy->second.approve;
    rule.approvals = policy->second.approvals;
    rule.expires_after = policy->second.expires_after;
    rule.break_glass = policy->second.break_glass;
    return rule;
}

std::vector<std::string> allowed_channels(const family_spec& family, bool destructive, const stack_config& config) {
    if (const policy_config* policy = find_policy(family, config); policy != nullptr && !policy->channels.empty()) {
        return policy->channels;
    }
    if (destructive) {
        // Destructive commands default to the ops channel (docs/design.md, Security rules); none configured: nowhere.
        return {config.slack.ops_channel};
    }
    return {};
}

result<void> check_channel(const family_spec& family, const parsed_command& command, const stack_config& config) {
    std::vector<std::string> channels = allowed_channels(family, command.destructive, config);
    if (channels.empty() || std::ranges::find(channels, command.channel.str()) != channels.end()) {
        return {};
    }
    std::erase(channels, std::string{});
    if (channels.empty()) {
        return fail(error_kind::forbidden, code_span(command.display_name()) +
                                               " may not run anywhere: set slack.ops_channel or policies." +
                                               family.name + ".channels in the config.");
    }
    return fail(error_kind::forbidden,
                code_span(command.display_name()) + " may only run in " + join_mentions(channels) + ".");
}

result<void> check_break_glass(const family_spec& family, const parsed_command& command, const stack_config& config) {
    if (!command.has_flag("break-glass")) {
        return {};
    }
    const policy_config* policy = find_policy(family, config);
    if (policy == nullptr || !policy->break_glass) {
        return fail(error_kind::forbidden, "Break-glass is not enabled for " + family.command + " (policy " +
                                               family.name + ".break_glass = false).");
    }
    return {};
}

std::string describe_policy(const family_spec& family, const stack_config& config) {
    const policy_config* policy = find_policy(family, config);
    if (policy == nullptr || policy->run.empty()) {
        return "Nobody may run it: no `policies." + family.name + ".run` in the config (default deny).";
    }
    std::string out = "Run: group " + code_span(policy->run);
    if (!policy->approve.empty()) {
        out += " · approve: group " + code_span(policy->approve);
    }
    if (!policy->channels.empty()) {
        out += " · only in " + join_mentions(policy->channels);
    } else if (family.has_destructive() && !config.slack.ops_channel.empty()) {
        out += " · changes only in " + channel_mention(config.slack.ops_channel);
    }
    return out + ".";
}

}  // namespace opsbot::commands
