#include "commands/rotate/continue.hpp"

#include "commands/rotate/continue_board.hpp"
#include "commands/grammar/mrkdwn.hpp"

#include <spdlog/spdlog.h>

namespace opsbot::commands {

reply rotate_continue_reply(const parsed_command& command, const command_context& context) {
    const std::string secret = command.arg("secret").value_or("");
    if (!command.has_flag("continue")) {
        return reply{"`/rotate " + secret + "` needs a plan and a second person's approval.", false, true};
    }
    if (context.board == nullptr) {
        return reply{"This bot cannot continue rotations (no continue board). Nothing was changed.", false, true};
    }
    auto answer = context.board->signal(secret, command.user.str());
    if (!answer) {
        spdlog::info("/rotate {} --continue by {} refused: {}", secret, command.user.str(), answer.error().message);
        return reply{answer.error().message + " Nothing was changed.", false, true};
    }
    return reply{*answer, false, false};
}

}  // namespace opsbot::commands
