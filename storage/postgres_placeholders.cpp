#include "storage/postgres_placeholders.hpp"

namespace opsbot::storage {
namespace {

bool identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool identifier_start(char c) {
    return identifier_char(c) && !(c >= '0' && c <= '9');
}

/// The end (one past the closing quote) of a quoted run starting at `open`, the index of its opening quote. A doubled
/// quote stays inside; with `backslash_escapes` (E'…') a backslash escapes the next character. Unterminated: the end.
std::size_t skip_quoted(std::string_view text, std::size_t open, char quote, bool backslash_escapes) {
    std::size_t i = open + 1;
    while (i < text.size()) {
        if (backslash_escapes && text[i] == '\\') {
            i += 2;
            continue;
        }
        if (text[i] == quote) {
            if (i + 1 < text.size() && text[i + 1] == quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        ++i;
    }
    return text.size();
}

/// The end of a /* … */ comment starting at `open` (comments nest in PostgreSQL).
std::size_t skip_block_comment(std::string_view text, std::size_t open) {
    int depth = 0;
    std::size_t i = open;
    while (i < text.size()) {
        if (text.compare(i, 2, "/*") == 0) {
            ++depth;
            i += 2;
        } else if (text.compare(i, 2, "*/") == 0) {
            i += 2;
            if (--depth == 0) {
                return i;
            }
        } else {
            ++i;
        }
    }
    return text.size();
}

/// The end of a dollar-quoted string when `open` starts one ($$…$$ or $tag$…$tag$), else `open` (a `$` alone or
/// a positional parameter such as $1).
std::size_t skip_dollar_quoted(std::string_view text, std::size_t open) {
    std::size_t i = open + 1;
    if (i < text.size() && identifier_start(text[i])) {
        while (i < text.size() && identifier_char(text[i]) && text[i] != '$') {
            ++i;
        }
    }
    if (i >= text.size() || text[i] != '$') {
        return open;
    }
    const std::string_view tag = text.substr(open, i - open + 1);
    const std::size_t close = text.find(tag, i + 1);
    return close == std::string_view::npos ? text.size() : close + tag.size();
}

}  // namespace

numbered_statement number_placeholders(std::string_view text) {
    numbered_statement out;
    out.text.reserve(text.size() + 8);
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const bool after_identifier = i > 0 && identifier_char(text[i - 1]);
        std::size_t end = i;
        if (c == '\'') {
            // E'…' (or e'…'): an escape string, where \' does not end it.
            const bool escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                                 (i == 1 || !identifier_char(text[i - 2]));
            end = skip_quoted(text, i, '\'', escapes);
        } else if (c == '"') {
            end = skip_quoted(text, i, '"', false);
        } else if (c == '-' && text.compare(i, 2, "--") == 0) {
            end = text.find('\n', i);
            end = end == std::string_view::npos ? text.size() : end;
        } else if (c == '/' && text.compare(i, 2, "/*") == 0) {
            end = skip_block_comment(text, i);
        } else if (c == '$' && !after_identifier) {
            end = skip_dollar_quoted(text, i);
        } else if (c == '?') {
            out.text += '$';
            out.text += std::to_string(++out.placeholders);
            ++i;
            continue;
        }
        if (end > i) {
            out.text.append(text.substr(i, end - i));
            i = end;
        } else {
            out.text += c;
            ++i;
        }
    }
    return out;
}

}  // namespace opsbot::storage
