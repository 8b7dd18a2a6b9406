#include "commands/grammar/tokenizer.hpp"

#include "commands/grammar/mrkdwn.hpp"

namespace opsbot::commands {

namespace {

enum class quote_kind { none, double_q, single_q };

constexpr std::string_view left_double = "\xE2\x80\x9C";   // “
constexpr std::string_view right_double = "\xE2\x80\x9D";  // ”
constexpr std::string_view left_single = "\xE2\x80\x98";   // ‘
constexpr std::string_view right_single = "\xE2\x80\x99";  // ’
constexpr std::string_view nbsp = "\xC2\xA0";

bool starts(std::string_view text, std::size_t i, std::string_view what) { return text.substr(i, what.size()) == what; }

/// Length in bytes of a double-quote character at i (ASCII or smart), 0 if none.
std::size_t double_quote_at(std::string_view text, std::size_t i) {
    if (text[i] == '"') {
        return 1;
    }
    if (starts(text, i, left_double) || starts(text, i, right_double)) {
        return 3;
    }
    return 0;
}

/// Length of a single quote that may open a quoted part ( ' or ‘ ).
std::size_t opening_single_at(std::string_view text, std::size_t i) {
    if (text[i] == '\'') {
        return 1;
    }
    return starts(text, i, left_single) ? 3 : 0;
}

/// Length of a single quote that may close a quoted part ( ' or ’ , and ‘ for keyboards that mix them).
std::size_t closing_single_at(std::string_view text, std::size_t i) {
    if (text[i] == '\'') {
        return 1;
    }
    return (starts(text, i, right_single) || starts(text, i, left_single)) ? 3 : 0;
}

std::size_t space_at(std::string_view text, std::size_t i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        return 1;
    }
    return starts(text, i, nbsp) ? 2 : 0;
}

}  // namespace

result<std::vector<token>> tokenize(std::string_view text) {
    if (count_chars(text) > max_command_text) {
        return fail(error_kind::invalid_input,
                    "That command is too long (more than " + std::to_string(max_command_text) + " characters).");
    }
    std::vector<token> tokens;
    token current;
    bool in_token = false;
    quote_kind quote = quote_kind::none;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        auto uc = static_cast<unsigned char>(c);
        if ((uc < 0x20 && c != '\t' && c != '\n' && c != '\r') || uc == 0x7F) {
            return fail(error_kind::invalid_input, "The command contains a control character.");
        }
        if (quote == quote_kind::none) {
            if (std::size_t n = space_at(text, i)) {
                if (in_token) {
                    tokens.push_back(std::move(current));
                    current = token{};
                    in_token = false;
                }
                i += n;
                continue;
            }
            bool at_start = !in_token;
            in_token = true;
            if (std::size_t n = double_quote_at(text, i)) {
                quote = quote_kind::double_q;
                current.quoted = current.quoted || at_start;
                i += n;
                continue;
            }
            if (std::size_t n = opening_single_at(text, i)) {
                quote = quote_kind::single_q;
                current.quoted = current.quoted || at_start;
                i += n;
                continue;
            }
            // Outside quotes a backslash only escapes a following ASCII quote or backslash.
            if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\'' || text[i + 1] == '\\')) {
                current.text += text[i + 1];
                i += 2;
                continue;
            }
            current.text += c;
            ++i;
            continue;
        }
        // Inside quotes.
        if (c == '\\' && i + 1 < text.size()) {
            char next = text[i + 1];
            if (next == '\\' || next == '"' || next == '\'') {
                current.text += next;
                i += 2;
                continue;
            }
            std::size_t smart = quote == quote_kind::double_q ? double_quote_at(text, i + 1) : closing_single_at(text, i + 1);
            if (smart == 3) {
                current.text.append(text.substr(i + 1, 3));
                i += 4;
                continue;
            }
        }
        std::size_t close = quote == quote_kind::double_q ? double_quote_at(text, i) : closing_single_at(text, i);
        if (close != 0) {
            quote = quote_kind::none;
            i += close;
            continue;
        }
        current.text += c;
        ++i;
    }
    if (quote != quote_kind::none) {
        return fail(error_kind::invalid_input,
                    quote == quote_kind::double_q ? "Unterminated quote: a `\"` was opened but never closed."
                                                  : "Unterminated quote: a `'` was opened but never closed.");
    }
    if (in_token) {
        tokens.push_back(std::move(current));
    }
    return tokens;
}

}  // namespace opsbot::commands
