#pragma once

#include "bot/slack/message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace opsbot::bot {

/// Slack's size limits, in characters (docs/slack.md §4).
namespace block_limits {
inline constexpr std::size_t message_text = 4000;  ///< top-level text: Slack cuts at 40,000, advises < 4,000
inline constexpr std::size_t section_text = 3000;
inline constexpr std::size_t context_text = 3000;
inline constexpr std::size_t header_text = 150;
inline constexpr std::size_t button_text = 75;
inline constexpr std::size_t button_value = 2000;
inline constexpr std::size_t action_id = 255;
inline constexpr std::size_t block_id = 255;
inline constexpr std::size_t actions_elements = 25;
inline constexpr std::size_t blocks = 50;
inline constexpr std::size_t confirm_title = 100;
inline constexpr std::size_t confirm_text = 300;
inline constexpr std::size_t confirm_button = 30;
/// Default size of code_block(): leaves room for a heading line in the same section.
inline constexpr std::size_t code_block = 2800;
}  // namespace block_limits

enum class button_style { none, primary, danger };

/// The "are you sure?" dialog of a button. All four texts are plain text (no escaping needed).
struct confirm_dialog {
    std::string title;
    std::string text;
    std::string confirm;
    std::string deny;
    button_style style = button_style::none;
};

// Builders. Texts that Slack shows are truncated to the limits (mrkdwn with a note, plain text with "…");
// identifiers (action_id, block_id, value) are never truncated, since that would break routing: an over-long
// identifier, or more than 25 elements in an actions block, throws std::invalid_argument (a programmer error).
// mrkdwn arguments are used as given: escape every raw string in them with opsbot::escape_mrkdwn first.

/// `{"type":"section","text":{"type":"mrkdwn",…}}`, text ≤ 3000 characters (longer is truncated with a note).
boost::json::object section(std::string_view mrkdwn_text, std::string_view block_id = {});
/// `{"type":"context","elements":[{"type":"mrkdwn",…}]}`: small grey text.
boost::json::object context(std::string_view mrkdwn_text);
/// `{"type":"header","text":{"type":"plain_text",…}}`, ≤ 150 characters.
boost::json::object header(std::string_view plain_text);
boost::json::object divider();
/// A button element; `text` is plain text (≤ 75), `value` ≤ 2000, `action_id` ≤ 255.
boost::json::object button(std::string_view text, std::string_view action_id, std::string_view value,
                           button_style style = button_style::none,
                           const std::optional<confirm_dialog>& confirm = std::nullopt);
/// `{"type":"actions","block_id":…,"elements":[…]}` with at most 25 elements.
boost::json::object actions(std::string_view block_id, boost::json::array elements);

/// A message within Slack's limits: top-level text ≤ 4000 characters and section/context texts ≤ 3000 (both
/// truncated with "… (truncated, N more characters)"), header texts ≤ 150, and at most 50 blocks (the rest are
/// replaced by a final context block "… N more blocks not shown"). Works on blocks from any source.
message make_message(std::string text, boost::json::array blocks);

/// The common reply: mrkdwn text as both the fallback text and a single section block.
message text_message(const std::string& mrkdwn_text);

/// Raw preformatted output (e.g. a subprocess's) as a mrkdwn code block of at most `max_chars` characters:
/// invalid UTF-8 replaced, `& < >` escaped, runs of backticks broken so the output cannot close the fence. When
/// too long, the *tail* is kept (the end of command output is what matters) and a note before the block says
/// how many characters were cut. `max_chars` must be at least 64.
std::string code_block(std::string_view raw_output, std::size_t max_chars = block_limits::code_block);

/// mrkdwn text cut to `max_chars` keeping the head, with "\n… (truncated, N more characters)" appended when cut.
/// Never splits a UTF-8 sequence or an entity; closes a code fence left open by the cut.
std::string truncate_mrkdwn(std::string_view mrkdwn_text, std::size_t max_chars);

/// Plain text cut to `max_chars` with a trailing "…" when cut.
std::string truncate_plain(std::string_view text, std::size_t max_chars);

}  // namespace opsbot::bot
