#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opsbot {

/// Escapes the three characters Slack mrkdwn treats as control characters: `&` -> `&amp;`, `<` -> `&lt;`,
/// `>` -> `&gt;`, and nothing else (docs/slack.md §4). Apply it exactly once, to raw text (branch names,
/// error text, command output) before embedding it in mrkdwn. It does not recognise text that is already
/// escaped: escaping twice shows a literal "&amp;amp;" in Slack. Control sequences the bot writes on purpose
/// (`<@U123>`, `<!here>`) must be added after escaping, never passed through it.
std::string escape_mrkdwn(std::string_view raw);

/// Number of characters (Unicode code points) in UTF-8 text: how Slack's length limits are counted here.
/// Counts the bytes that start a sequence, so stray continuation bytes count as nothing.
std::size_t count_chars(std::string_view utf8);

/// Copies the text, replacing each invalid UTF-8 sequence (bad lead byte, truncated sequence, overlong form,
/// surrogate, > U+10FFFF) by U+FFFD, so arbitrary bytes (subprocess output) can travel in JSON.
std::string sanitize_utf8(std::string_view bytes);

/// Byte offset to cut at so that `text.substr(0, offset)` keeps at most `max_chars` characters and never ends
/// inside a UTF-8 sequence or inside one of the entities `&amp;` `&lt;` `&gt;`.
std::size_t head_cut(std::string_view text, std::size_t max_chars);

/// Byte offset where the kept tail begins so that `text.substr(offset)` keeps at most `max_chars` characters and
/// never starts inside a UTF-8 sequence or inside an entity.
std::size_t tail_cut(std::string_view text, std::size_t max_chars);

}  // namespace opsbot
