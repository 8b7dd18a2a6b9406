// Length limits for Block Kit texts: truncation that keeps mrkdwn valid (docs/slack.md §4).
#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace opsbot::bot {
namespace {

constexpr std::string_view fence = "```";
constexpr std::string_view zero_width_space = "\xE2\x80\x8B";  // U+200B

std::size_t count_fences(std::string_view text) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(fence); pos != std::string_view::npos; pos = text.find(fence, pos + 3)) {
        ++n;
    }
    return n;
}

std::string truncation_note(std::size_t cut_chars) {
    return fmt::format("\n… (truncated, {} more characters)", cut_chars);
}

std::string earlier_output_note(std::size_t cut_chars) {
    return fmt::format("_… {} earlier characters not shown_\n", cut_chars);
}

/// Puts a zero-width space between adjacent backticks so output containing ``` cannot end our code block.
std::string break_backtick_runs(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '`' && i + 1 < text.size() && text[i + 1] == '`') {
            out += zero_width_space;
        }
    }
    return out;
}

}  // namespace

std::string truncate_plain(std::string_view text, std::size_t max_chars) {
    if (count_chars(text) <= max_chars) {
        return std::string(text);
    }
    if (max_chars == 0) {
        return {};
    }
    return std::string(text.substr(0, head_cut(text, max_chars - 1))) + "…";
}

std::string truncate_mrkdwn(std::string_view text, std::size_t max_chars) {
    std::size_t total = count_chars(text);
    if (total <= max_chars) {
        return std::string(text);
    }
    // Room for the note (sized for the largest possible count) and for a closing "\n```".
    std::size_t reserve = count_chars(truncation_note(total)) + 1 + fence.size();
    if (max_chars <= reserve) {
        return truncate_plain(text, max_chars);
    }
    std::size_t cut = head_cut(text, max_chars - reserve);
    // A raw '<' only survives escaping as the start of a control sequence (<@U…>, <!here>, <url|label>):
    // never leave one half-written.
    std::size_t open = text.substr(0, cut).rfind('<');
    if (open != std::string_view::npos && text.substr(open, cut - open).find('>') == std::string_view::npos) {
        cut = open;
    }
    std::string out(text.substr(0, cut));
    if (count_fences(out) % 2 == 1) {
        out += '\n';
        out += fence;
    }
    out += truncation_note(count_chars(text.substr(cut)));
    return out;
}

std::string code_block(std::string_view raw_output, std::size_t max_chars) {
    if (max_chars < 64) {
        throw std::invalid_argument("code_block: max_chars must be at least 64");
    }
    std::string body = break_backtick_runs(escape_mrkdwn(sanitize_utf8(raw_output)));
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
        body.pop_back();
    }
    if (body.empty()) {
        return "_(no output)_";
    }
    constexpr std::size_t frame_chars = 8;  // "```\n" + "\n```"
    std::size_t total = count_chars(body);
    if (total + frame_chars <= max_chars) {
        return fmt::format("```\n{}\n```", body);
    }
    std::size_t budget = max_chars - frame_chars - count_chars(earlier_output_note(total));
    std::size_t start = tail_cut(body, budget);
    // Start at a line boundary when one is near, so the first kept line is whole.
    constexpr std::size_t line_search = 200;
    std::size_t newline = body.find('\n', start);
    if (newline != std::string::npos && newline + 1 < body.size() && newline - start < line_search) {
        start = newline + 1;
    }
    std::string_view kept = std::string_view(body).substr(start);
    return earlier_output_note(count_chars(std::string_view(body).substr(0, start))) +
           fmt::format("```\n{}\n```", kept);
}

}  // namespace opsbot::bot
