#pragma once

#include "commands/grammar/command_spec.hpp"
#include "commands/grammar/parser.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace opsbot::commands {

/// May `user` run this family? `policies.<family>.run` names a group in `groups`; the user must be listed
/// in it. No policy, no run group, or an undefined group: refused (default deny). The error (kind forbidden)
/// carries the ephemeral mrkdwn text naming the policy.
result<void> check_run(const family_spec& family, const stack_config& config, const user_id& user);

/// What a family's plans need before they run, from `policies.<family>`: one rule, read by the approval flow and the
/// break-glass flow alike (docs/design.md "Actions and steps"), so the two can never disagree.
struct approval_rule {
    std::string family;
    std::string approve_group;       ///< the group `policies.<family>.approve` names
    std::set<user_id> approvers;     ///< its members: never empty in a rule approval_for returns
    int approvals = 1;               ///< distinct approvers needed, none of them the requester
    std::chrono::seconds expires_after{};
    bool break_glass = false;        ///< the requester may run it at once with --break-glass "<reason>"
};

/// The approval rule of `family`, or an error (kind forbidden) whose message says why nobody could approve it: no
/// policy, no approve group, or a group without members. Default deny.
result<approval_rule> approval_for(std::string_view family, const stack_config& config);

/// The members of the group `policies.<family>.approve` names; empty when the family has no policy, no approve
/// group, or an undefined one (default deny).
std::set<user_id> approvers_of(const std::string& family, const stack_config& config);

/// May this command run in `command.channel`? A policy's `channels` restricts every subcommand of the
/// family; without it, destructive ones run only in slack.ops_channel and the rest anywhere.
result<void> check_channel(const family_spec& family, const parsed_command& command, const stack_config& config);

/// `--break-glass` is refused unless `policies.<family>.break_glass` is true.
result<void> check_break_glass(const family_spec& family, const parsed_command& command, const stack_config& config);

/// The channels where the command may run; empty means anywhere.
std::vector<std::string> allowed_channels(const family_spec& family, bool destructive, const stack_config& config);

/// `<#C0123OPS>` for a well-formed channel id; anything else is shown escaped in a code span.
std::string channel_mention(std::string_view channel);

/// One line for help: who may run, who may approve, and where.
std::string describe_policy(const family_spec& family, const stack_config& config);

}  // namespace opsbot::commands
