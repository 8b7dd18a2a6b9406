#include "demo/render.hpp"
#include "core/json_fields.hpp"

namespace opsbot::demo {
namespace {


std::string text_of(const boost::json::object& block) {
    const auto* t = block.if_contains("text");
    if (t != nullptr && t->is_object()) {
        return json_string(t->get_object(), "text");
    }
    return {};
}

std::string render_control(std::string_view inner) {
    // <url|label>, <@U01>, <#C01|name>, <!here>
    std::string_view target = inner;
    std::string_view label;
    if (auto bar = inner.find('|'); bar != std::string_view::npos) {
        target = inner.substr(0, bar);
        label = inner.substr(bar + 1);
    }
    if (target.starts_with("@")) {
        return "@" + std::string(label.empty() ? target.substr(1) : label);
    }
    if (target.starts_with("#")) {
        return "#" + std::string(label.empty() ? target.substr(1) : label);
    }
    if (target.starts_with("!")) {
        return "@" + std::string(target.substr(1));
    }
    if (label.empty()) {
        return std::string(target);
    }
    return std::string(label) + " (" + std::string(target) + ")";
}

}  // namespace

std::string mrkdwn_to_terminal(std::string_view text) {
    // The few emoji shortcodes opsbot uses, as a terminal shows them.
    static constexpr std::pair<std::string_view, std::string_view> emoji[] = {
        {":white_check_mark:", "✅"}, {":x:", "❌"},   {":warning:", "⚠️"}, {":rotating_light:", "🚨"},
        {":information_source:", "ℹ️"}, {":lock:", "🔒"}, {":unlock:", "🔓"}, {":no_entry:", "⛔"},
    };
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ':') {
            bool replaced = false;
            for (const auto& [code, glyph] : emoji) {
                if (text.substr(i, code.size()) == code) {
                    out += glyph;
                    i += code.size() - 1;
                    replaced = true;
                    break;
                }
            }
            if (replaced) {
                continue;
            }
        }
        if (text[i] == '<') {
            auto close = text.find('>', i);
            if (close != std::string_view::npos) {
                out += render_control(text.substr(i + 1, close - i - 1));
                i = close;
                continue;
            }
        }
        if (text[i] == '&') {
            if (text.substr(i, 5) == "&amp;") {
                out += '&';
                i += 4;
                continue;
            }
            if (text.substr(i, 4) == "&lt;") {
                out += '<';
                i += 3;
                continue;
            }
            if (text.substr(i, 4) == "&gt;") {
                out += '>';
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string action_id_of_button_value(std::string_view value) {
    auto colon = value.find(':');
    std::string_view id = value.substr(0, colon);
    return id.starts_with("A-") ? std::string(id) : std::string{};
}

std::string render_for_terminal(const boost::json::object& message) {
    std::string out;
    const auto* blocks = message.if_contains("blocks");
    if (blocks == nullptr || !blocks->is_array() || blocks->get_array().empty()) {
        return mrkdwn_to_terminal(json_string(message, "text")) + "\n";
    }
    for (const auto& b : blocks->get_array()) {
        if (!b.is_object()) {
            continue;
        }
        const auto& block = b.get_object();
        std::string type = json_string(block, "type");
        if (type == "divider") {
            out += "  ----\n";
        } else if (type == "header" || type == "section") {
            out += mrkdwn_to_terminal(text_of(block)) + "\n";
        } else if (type == "context") {
            const auto* elements = block.if_contains("elements");
            if (elements != nullptr && elements->is_array()) {
                for (const auto& e : elements->get_array()) {
                    if (e.is_object()) {
                        out += "  " + mrkdwn_to_terminal(json_string(e.get_object(), "text")) + "\n";
                    }
                }
            }
        } else if (type == "actions") {
            const auto* elements = block.if_contains("elements");
            std::string line;
            if (elements != nullptr && elements->is_array()) {
                for (const auto& e : elements->get_array()) {
                    if (!e.is_object()) {
                        continue;
                    }
                    const auto& button = e.get_object();
                    std::string id = action_id_of_button_value(json_string(button, "value"));
                    line += "[" + text_of(button) + (id.empty() ? "" : " " + id) + "] ";
                }
            }
            out += line + "\n";
        }
    }
    return out;
}

std::string find_button_value(const boost::json::value& blocks, std::string_view action, std::string_view button) {
    if (!blocks.is_array()) {
        return {};
    }
    for (const auto& block : blocks.get_array()) {
        const auto* elements = block.is_object() ? block.get_object().if_contains("elements") : nullptr;
        if (elements == nullptr || !elements->is_array()) {
            continue;
        }
        for (const auto& e : elements->get_array()) {
            const auto* b = e.if_object();
            if (b != nullptr && json_string(*b, "action_id") == button) {
                std::string value = json_string(*b, "value");
                if (action_id_of_button_value(value) == action) {
                    return value;
                }
            }
        }
    }
    return {};
}

std::string header_text(const boost::json::value& blocks) {
    if (!blocks.is_array()) {
        return {};
    }
    for (const auto& block : blocks.get_array()) {
        const auto* b = block.if_object();
        if (b == nullptr || json_string(*b, "type") != "header") {
            continue;
        }
        const auto* text = b->if_contains("text");
        if (text != nullptr && text->is_object()) {
            return json_string(text->get_object(), "text");
        }
    }
    return {};
}

}  // namespace opsbot::demo
