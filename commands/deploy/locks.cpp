#include "commands/deploy/locks.hpp"

#include "commands/grammar/format.hpp"
#include "commands/grammar/policy.hpp"
#include "core/mrkdwn.hpp"
#include "storage/lock_store.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

reply error_reply(std::string text) { return reply{std::move(text), false, true}; }

/// A lock's owner as Slack shows it: a person is mentioned, an action ("A-7") named.
std::string owner_mention(const std::string& owner) {
    return owner.starts_with("A-") ? escape_mrkdwn(owner) : fmt::format("<@{}>", escape_mrkdwn(owner));
}

}  // namespace

reply run_deploy_lock(const parsed_command& command, const command_context& context) {
    if (context.db == nullptr) {
        return error_reply("Locks need the bot's database, which is not open.");
    }
    const std::string service = command.arg("service").value_or("");
    const std::string env = command.arg("env").value_or("");
    const std::string reason = command.arg("reason").value_or("");
    storage::lock_store locks(*context.db, context.clk);
    auto claimed = locks.claim(service, env, command.user.str(), reason, context.clk.now() + freeze_duration);
    if (!claimed) {
        return error_reply(":lock: " + escape_mrkdwn(claimed.error().message) + "\nNothing was changed.");
    }
    return reply{fmt::format(":lock: *{} {}* is locked by <@{}> until {}: {}\nDeploys and rollbacks of it are "
                             "refused until `/deploy unlock {} {}`.",
                             escape_mrkdwn(service), escape_mrkdwn(env), escape_mrkdwn(command.user.str()),
                             iso8601(claimed->expires_at), escape_mrkdwn(reason), escape_mrkdwn(service),
                             escape_mrkdwn(env)),
                 true, false};
}

reply run_deploy_unlock(const parsed_command& command, const command_context& context) {
    if (context.db == nullptr) {
        return error_reply("Locks need the bot's database, which is not open.");
    }
    const std::string service = command.arg("service").value_or("");
    const std::string env = command.arg("env").value_or("");
    const std::string user = command.user.str();
    storage::lock_store locks(*context.db, context.clk);
    // An approver of /deploy may also clear a lock whose owner is gone or another person's freeze (issue 12).
    if (approvers_of("deploy", context.config).contains(command.user)) {
        auto released = locks.release_as_approver(service, env, user);
        if (!released) {
            return error_reply(escape_mrkdwn(released.error().message) + "\nNothing was changed.");
        }
        std::string whose = released->owner == user
                                ? std::string()
                                : fmt::format(" (an approver of `/deploy`); it was {}'s lock: {}",
                                              owner_mention(released->owner), escape_mrkdwn(released->reason));
        return reply{fmt::format(":unlock: *{} {}* is unlocked by <@{}>{}.", escape_mrkdwn(service),
                                 escape_mrkdwn(env), escape_mrkdwn(user), whose),
                     true, false};
    }
    auto released = locks.release(service, env, user);
    if (!released) {
        const bool others = released.error().kind == error_kind::forbidden;
        return error_reply(escape_mrkdwn(released.error().message) +
                           (others ? ". Only its holder, or an approver of `/deploy` once its owner is gone, can "
                                     "unlock it."
                                   : "") +
                           "\nNothing was changed.");
    }
    return reply{fmt::format(":unlock: *{} {}* is unlocked by <@{}>.", escape_mrkdwn(service), escape_mrkdwn(env),
                             escape_mrkdwn(user)),
                 true, false};
}

}  // namespace opsbot::commands
