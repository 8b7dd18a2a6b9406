#include "core/mrkdwn.hpp"

#include <array>
#include <cstdint>

namespace opsbot {
namespace {

constexpr std::array<std::string_view, 3> entities{"&amp;", "&lt;", "&gt;"};
constexpr std::string_view replacement_char = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t longest_entity = 5;

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

/// Length of the entity starting at `pos`, or 0 when there is none.
std::size_t entity_at(std::string_view text, std::size_t pos) {
    for (auto entity : entities) {
        if (text.substr(pos, entity.size()) == entity) {
            return entity.size();
        }
    }
    return 0;
}

/// The start of an entity that spans across byte offset `cut` (begins before it, ends after it), if any.
std::pair<std::size_t, std::size_t> entity_spanning(std::string_view text, std::size_t cut) {
    std::size_t first = cut >= longest_entity - 1 ? cut - (longest_entity - 1) : 0;
    for (std::size_t p = first; p < cut; ++p) {
        if (text[p] != '&') {
            continue;
        }
        std::size_t len = entity_at(text, p);
        if (len > 0 && p + len > cut) {
            return {p, p + len};
        }
    }
    return {cut, cut};
}

/// Length of the valid UTF-8 sequence at `pos`, or 0 when the bytes there are not one.
std::size_t valid_sequence(std::string_view s, std::size_t pos) {
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
    std::uint8_t lead = byte(pos);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (lead < 0x80) {
        return 1;
    } else if ((lead & 0xE0) == 0xC0) {
        len = 2;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        len = 3;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        len = 4;
        cp = lead & 0x07;
    } else {
        return 0;
    }
    if (pos + len > s.size()) {
        return 0;
    }
    for (std::size_t i = 1; i < len; ++i) {
        if (!is_continuation(s[pos + i])) {
            return 0;
        }
        cp = (cp << 6) | (byte(pos + i) & 0x3F);
    }
    constexpr std::array<std::uint32_t, 5> min_for_len{0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

}  // namespace

std::string escape_mrkdwn(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + raw.size() / 8);
    for (char c : raw) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c; break;
        }
    }
    return out;
}

std::size_t count_chars(std::string_view utf8) {
    std::size_t n = 0;
    for (char c : utf8) {
        if (!is_continuation(c)) {
            ++n;
        }
    }
    return n;
}

std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::size_t len = valid_sequence(bytes, pos);
        if (len == 0) {
            out += replacement_char;
            ++pos;
            // A broken sequence's remaining continuation bytes become part of the same replacement.
            while (pos < bytes.size() && is_continuation(bytes[pos])) {
                ++pos;
            }
            continue;
        }
        out.append(bytes.substr(pos, len));
        pos += len;
    }
    return out;
}

std::size_t head_cut(std::string_view text, std::size_t max_chars) {
    std::size_t count = 0;
    std::size_t cut = text.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(text[i])) {
            continue;
        }
        if (count == max_chars) {
            cut = i;
            break;
        }
        ++count;
    }
    return entity_spanning(text, cut).first;
}

std::size_t tail_cut(std::string_view text, std::size_t max_chars) {
    std::size_t total = count_chars(text);
    if (total <= max_chars) {
        return 0;
    }
    std::size_t skip = total - max_chars;
    std::size_t seen = 0;
    std::size_t start = text.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(text[i])) {
            continue;
        }
        if (seen == skip) {
            start = i;
            break;
        }
        ++seen;
    }
    return entity_spanning(text, start).second;
}

}  // namespace opsbot
