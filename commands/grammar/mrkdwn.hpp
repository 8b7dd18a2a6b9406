#pragma once

#include "core/mrkdwn.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace opsbot::commands {

// One escaping rule for the whole bot (docs/slack.md §4: & < > and only those): core/mrkdwn.hpp.
using opsbot::escape_mrkdwn;

/// User-supplied text shown inside an inline code span: escaped, backticks replaced (they would end
/// the span), cut to `max_chars` code points with an ellipsis. Returns "`…`" including the backticks.
std::string code_span(std::string_view text, std::size_t max_chars = 60);

}  // namespace opsbot::commands
