#pragma once

#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"

namespace opsbot::storage {
class database;
}

namespace opsbot::commands {

class continue_board;
class step_catalog;

/// What a command handler may use: the config, the outside systems, the bot's own database, the time.
struct command_context {
    const stack_config& config;
    const platform_registry& platforms;
    storage::database* db = nullptr;  ///< the bot's SQLite database (audit log, locks); null in pure unit tests
    const clock& clk;
    continue_board* board = nullptr;  ///< where `/rotate SECRET --continue` wakes a waiting rotation; null in tests
    const step_catalog* steps = nullptr;  ///< every family's step kinds, for answers that run steps at once
};

}  // namespace opsbot::commands
