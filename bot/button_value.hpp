#pragma once
// A button's value comes back from Slack in a block_actions payload: outside input, parsed apart from the renderer
// so the fuzz harness (fuzz/socket_mode_fuzz.cpp) links it without Block Kit and plans.

#include <string>
#include <string_view>

namespace opsbot::bot {

/// The button value "A-7:<digest>" split back; false when malformed.
bool parse_button_value(std::string_view value, std::string& action_id, std::string& digest);

}  // namespace opsbot::bot
