#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace opsbot::demo {

/// Slack mrkdwn as a terminal shows it: entities decoded, `<@U01>` -> `@U01`, `<#C1|ops>` -> `#ops`,
/// `<https://x|label>` -> `label (https://x)`.
std::string mrkdwn_to_terminal(std::string_view text);

/// A posted message (chat.postMessage / response_url body) as terminal lines: blocks in order, and
/// buttons as `[Approve A-7]` (label + the action id carried in the button value).
std::string render_for_terminal(const boost::json::object& message);

/// The action id (e.g. "A-7") at the start of a button value "A-7:<digest>"; empty when absent.
std::string action_id_of_button_value(std::string_view value);

/// The value of the button `button` (approve | deny | cancel) belonging to action `action` ("A-7") in a
/// message's blocks; empty when the message has no such button (e.g. once the request was decided).
std::string find_button_value(const boost::json::value& blocks, std::string_view action, std::string_view button);

/// The text of the first header block in a message's blocks — a plan message's "A-7 · Roll back …"; empty when it
/// has none.
std::string header_text(const boost::json::value& blocks);

}  // namespace opsbot::demo
