#include "bot/button_value.hpp"

namespace opsbot::bot {

bool parse_button_value(std::string_view value, std::string& action_id, std::string& digest) {
    auto colon = value.find(':');
    if (colon == std::string_view::npos || !value.starts_with("A-") || colon + 1 >= value.size()) {
        return false;
    }
    action_id = std::string(value.substr(0, colon));
    digest = std::string(value.substr(colon + 1));
    return digest.size() == 64;
}

}  // namespace opsbot::bot
