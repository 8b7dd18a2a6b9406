// Block Kit builders and the message size guard (docs/slack.md §4).
#include "bot/slack/block_kit.hpp"

#include "core/mrkdwn.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace opsbot::bot {
namespace {

namespace json = boost::json;

json::object plain_text(std::string_view text, std::size_t max_chars) {
    return json::object{{"type", "plain_text"}, {"text", truncate_plain(text, max_chars)}};
}

json::object mrkdwn(std::string_view text, std::size_t max_chars) {
    return json::object{{"type", "mrkdwn"}, {"text", truncate_mrkdwn(text, max_chars)}};
}

void require_within(std::string_view what, std::string_view value, std::size_t max_chars) {
    if (count_chars(value) > max_chars) {
        throw std::invalid_argument(
            fmt::format("Block Kit: {} is {} characters, the limit is {}", what, count_chars(value), max_chars));
    }
}

std::string_view style_name(button_style style) {
    switch (style) {
        case button_style::primary: return "primary";
        case button_style::danger: return "danger";
        case button_style::none: return {};
    }
    return {};
}

/// Truncates the `text` member of a text object in place, if it is too long.
void clamp_text_object(json::value& text_object, std::size_t max_chars) {
    auto* obj = text_object.if_object();
    if (obj == nullptr) {
        return;
    }
    auto* type = obj->if_contains("type");
    auto* text = obj->if_contains("text");
    if (type == nullptr || text == nullptr || !type->is_string() || !text->is_string()) {
        return;
    }
    std::string_view current = text->get_string();
    if (count_chars(current) <= max_chars) {
        return;
    }
    *text = type->get_string() == "mrkdwn" ? truncate_mrkdwn(current, max_chars) : truncate_plain(current, max_chars);
}

void clamp_block(json::value& block) {
    auto* obj = block.if_object();
    if (obj == nullptr) {
        return;
    }
    auto* type = obj->if_contains("type");
    if (type == nullptr || !type->is_string()) {
        return;
    }
    if (type->get_string() == "section" || type->get_string() == "header") {
        if (auto* text = obj->if_contains("text")) {
            clamp_text_object(
                *text, type->get_string() == "section" ? block_limits::section_text : block_limits::header_text);
        }
    } else if (type->get_string() == "context") {
        if (auto* elements = obj->if_contains("elements"); elements != nullptr && elements->is_array()) {
            for (auto& element : elements->get_array()) {
                clamp_text_object(element, block_limits::context_text);
            }
        }
    }
}

}  // namespace

json::object section(std::string_view mrkdwn_text, std::string_view block_id) {
    json::object block{{"type", "section"}, {"text", mrkdwn(mrkdwn_text, block_limits::section_text)}};
    if (!block_id.empty()) {
        require_within("block_id", block_id, block_limits::block_id);
        block["block_id"] = block_id;
    }
    return block;
}

json::object context(std::string_view mrkdwn_text) {
    return json::object{{"type", "context"},
                        {"elements", json::array{mrkdwn(mrkdwn_text, block_limits::context_text)}}};
}

json::object header(std::string_view text) {
    return json::object{{"type", "header"}, {"text", plain_text(text, block_limits::header_text)}};
}

json::object divider() {
    return json::object{{"type", "divider"}};
}

json::object button(std::string_view text, std::string_view action_id, std::string_view value, button_style style,
                    const std::optional<confirm_dialog>& confirm) {
    require_within("button action_id", action_id, block_limits::action_id);
    require_within("button value", value, block_limits::button_value);
    if (action_id.empty()) {
        throw std::invalid_argument("Block Kit: a button needs an action_id");
    }
    json::object element{{"type", "button"},
                         {"text", plain_text(text, block_limits::button_text)},
                         {"action_id", action_id},
                         {"value", value}};
    if (style != button_style::none) {
        element["style"] = style_name(style);
    }
    if (confirm) {
        json::object dialog{{"title", plain_text(confirm->title, block_limits::confirm_title)},
                            {"text", plain_text(confirm->text, block_limits::confirm_text)},
                            {"confirm", plain_text(confirm->confirm, block_limits::confirm_button)},
                            {"deny", plain_text(confirm->deny, block_limits::confirm_button)}};
        if (confirm->style != button_style::none) {
            dialog["style"] = style_name(confirm->style);
        }
        element["confirm"] = std::move(dialog);
    }
    return element;
}

json::object actions(std::string_view block_id, json::array elements) {
    require_within("actions block_id", block_id, block_limits::block_id);
    if (elements.size() > block_limits::actions_elements) {
        throw std::invalid_argument(fmt::format("Block Kit: an actions block holds at most {} elements, got {}",
                                                block_limits::actions_elements, elements.size()));
    }
    json::object block{{"type", "actions"}, {"elements", std::move(elements)}};
    if (!block_id.empty()) {
        block["block_id"] = block_id;
    }
    return block;
}

message make_message(std::string text, json::array blocks) {
    message msg;
    msg.text = truncate_mrkdwn(text, block_limits::message_text);
    if (blocks.size() > block_limits::blocks) {
        std::size_t hidden = blocks.size() - (block_limits::blocks - 1);
        blocks.resize(block_limits::blocks - 1);
        blocks.emplace_back(context(fmt::format("… {} more blocks not shown", hidden)));
    }
    for (auto& block : blocks) {
        clamp_block(block);
    }
    msg.blocks = std::move(blocks);
    return msg;
}

message text_message(const std::string& mrkdwn_text) {
    return make_message(mrkdwn_text, boost::json::array{section(mrkdwn_text)});
}

}  // namespace opsbot::bot
