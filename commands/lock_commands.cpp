#include "commands/lock_commands.hpp"

#include "commands/format.hpp"
#include "core/mrkdwn.hpp"
#include "storage/lock_store.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

reply error_reply(std::string text) { return reply{std::move(text), false, true}; }

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
    storage::lock_store locks(*context.db, context.clk);
    auto released = locks.release(service, env, command.user.str());
    if (!released) {
        return error_reply(escape_mrkdwn(released.error().message) + "\nNothing was changed.");
    }
    return reply{fmt::format(":unlock: *{} {}* is unlocked by <@{}>.", escape_mrkdwn(service), escape_mrkdwn(env),
                             escape_mrkdwn(command.user.str())),
                 true, false};
}

}  // namespace opsbot::commands
