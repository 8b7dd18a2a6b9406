#include "commands/grammar/mrkdwn.hpp"

namespace opsbot::commands {

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string code_span(std::string_view text, std::size_t max_chars) {
    std::string cut;
    std::size_t points = 0;
    bool truncated = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_continuation(text[i])) {
            if (points == max_chars) {
                truncated = true;
                break;
            }
            ++points;
        }
        // A backtick would close the code span early; newlines would break it.
        char c = text[i];
        if (c == '`') {
            c = '\'';
        } else if (c == '\n' || c == '\r' || c == '\t') {
            c = ' ';
        }
        cut += c;
    }
    if (truncated) {
        cut += "\xE2\x80\xA6";  // …
    }
    if (cut.empty()) {
        cut = " ";
    }
    return "`" + escape_mrkdwn(cut) + "`";
}

}  // namespace opsbot::commands
