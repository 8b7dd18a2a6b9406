#include "commands/handlers.hpp"

#include <map>
#include <string>

namespace opsbot::commands {
namespace {

// Each feature adds its answers here: "family subcommand" (subcommand empty for the default form).
const std::map<std::string, handler_fn, std::less<>>& handler_table() {
    static const std::map<std::string, handler_fn, std::less<>> table{};
    return table;
}

}  // namespace

handler_fn find_handler(const parsed_command& command) {
    const auto& table = handler_table();
    auto it = table.find(command.family + " " + command.subcommand);
    return it == table.end() ? nullptr : it->second;
}

}  // namespace opsbot::commands
