#pragma once

#include "core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

/// One word of a slash command's text.
struct token {
    std::string text;
    bool quoted = false;  ///< began with a quote: never read as a flag or as `help` (`--x="a b"` is a flag)
    bool operator==(const token&) const = default;
};

/// Longest text accepted after a slash command, in code points; longer input is refused.
inline constexpr std::size_t max_command_text = 2000;

/// Splits slash-command text shell-style: whitespace separates words; "double" and 'single' quotes
/// group (a quote may start mid-word, as in a shell); inside quotes a backslash escapes the quote
/// character or a backslash; mobile smart quotes (“ ” ‘ ’) count as quotes, except that a lone ’ outside
/// quotes is an apostrophe. An unterminated quote, a control character or text longer than
/// `max_command_text` is an `invalid_input` error whose message is safe mrkdwn.
result<std::vector<token>> tokenize(std::string_view text);

}  // namespace opsbot::commands
