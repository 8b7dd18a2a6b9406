// Parsing of Socket Mode frames and building of acks (docs/slack.md §1.3, §1.4).
#include "bot/slack/socket_mode_frames.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace opsbot::bot {
namespace {

namespace json = boost::json;

std::string string_at(const json::object& obj, std::string_view key) {
    if (auto* v = obj.if_contains(key); v != nullptr && v->is_string()) {
        return std::string(v->get_string());
    }
    return {};
}

int int_at(const json::object& obj, std::string_view key) {
    if (auto* v = obj.if_contains(key); v != nullptr && v->is_int64()) {
        return static_cast<int>(v->get_int64());
    }
    return 0;
}

socket_mode_frame parse_hello(const json::object& obj) {
    hello_frame hello;
    hello.num_connections = int_at(obj, "num_connections");
    if (auto* info = obj.if_contains("connection_info"); info != nullptr && info->is_object()) {
        hello.app_id = string_at(info->get_object(), "app_id");
    }
    if (auto* debug = obj.if_contains("debug_info"); debug != nullptr && debug->is_object()) {
        hello.approximate_connection_time = int_at(debug->get_object(), "approximate_connection_time");
    }
    return hello;
}

socket_mode_frame parse_envelope(json::object& obj, std::string type) {
    auto* id = obj.if_contains("envelope_id");
    if (id == nullptr || !id->is_string() || id->get_string().empty()) {
        return malformed_frame{"envelope of type '" + type + "' without a string envelope_id"};
    }
    std::string envelope_id(id->get_string());
    json::object* payload = nullptr;
    if (auto* value = obj.if_contains("payload"); value != nullptr) {
        if (!value->is_object()) {
            return malformed_frame{"envelope " + envelope_id + ": payload is not an object"};
        }
        payload = &value->get_object();
    }
    bool accepts_response_payload = false;
    if (auto* accepts = obj.if_contains("accepts_response_payload"); accepts != nullptr) {
        if (!accepts->is_bool()) {
            return malformed_frame{"envelope " + envelope_id + ": accepts_response_payload is not a boolean"};
        }
        accepts_response_payload = accepts->get_bool();
    }
    // §1.3: retry_attempt is only on events_api envelopes.
    int retry_attempt = 0;
    if (auto* retry = obj.if_contains("retry_attempt"); retry != nullptr) {
        if (!retry->is_int64()) {
            return malformed_frame{"envelope " + envelope_id + ": retry_attempt is not an integer"};
        }
        retry_attempt = static_cast<int>(retry->get_int64());
    }
    // Move-constructed, so the payload keeps the frame's arena: a move assignment into an object of another
    // resource would copy it element by element.
    return envelope{.envelope_id = std::move(envelope_id),
                    .type = std::move(type),
                    .payload = payload != nullptr ? json::object(std::move(*payload)) : json::object(),
                    .accepts_response_payload = accepts_response_payload,
                    .retry_attempt = retry_attempt};
}

}  // namespace

socket_mode_frame parse_socket_mode_frame(std::string_view text) {
    // One arena per frame: the payload's strings and objects cost a pointer bump each instead of a malloc and a free
    // (a fifth of the bot's work per envelope in a burst, bench/ack_latency), and go in one piece with the
    // envelope. Reference-counted, so an envelope handed on keeps its arena alive.
    json::storage_ptr arena = json::make_shared_resource<json::monotonic_resource>(text.size() * 2);
    unsigned char scratch[4096];  // the parser's own stack, for a frame of ordinary depth
    json::parser parser(json::storage_ptr(), json::parse_options(), scratch, sizeof scratch);
    parser.reset(arena);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) {
        return malformed_frame{"not JSON (" + ec.message() + ")"};
    }
    json::value value = parser.release();
    if (!value.is_object()) {
        return malformed_frame{"not a JSON object"};
    }
    auto& obj = value.get_object();
    auto* type = obj.if_contains("type");
    if (type == nullptr || !type->is_string()) {
        return malformed_frame{"no string 'type'"};
    }
    std::string type_name(type->get_string());
    if (type_name == "hello") {
        return parse_hello(obj);
    }
    if (type_name == "disconnect") {
        return disconnect_frame{string_at(obj, "reason")};
    }
    return parse_envelope(obj, std::move(type_name));
}

std::string text_frame::joined() const {
    std::string out;
    out.reserve(head.size() + (body ? body->size() : 0) + tail.size());
    out += head;
    if (body) {
        out += *body;
    }
    out += tail;
    return out;
}

text_frame make_ack(std::string_view envelope_id, shared_json payload_json) {
    text_frame ack;
    constexpr std::string_view opening = "{\"envelope_id\":";
    constexpr std::string_view payload_key = ",\"payload\":";
    // Slack's ids are plain ASCII letters, digits and dashes: written as they are, in one allocation. Anything
    // else goes through the JSON serializer's escaping.
    const bool plain = std::all_of(envelope_id.begin(), envelope_id.end(), [](char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    ack.head.reserve(opening.size() + envelope_id.size() + 2 + payload_key.size());
    ack.head += opening;
    if (plain) {
        ack.head += '"';
        ack.head += envelope_id;
        ack.head += '"';
    } else {
        ack.head += json::serialize(json::string(envelope_id));
    }
    if (payload_json) {
        ack.head += payload_key;
        ack.body = std::move(payload_json);
    }
    ack.tail = "}";
    return ack;
}

namespace {

/// The code point of the UTF-8 sequence at `text[i]` and its length; {U+FFFD, 1} when it is not valid.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (length == 0 || lead > 0xf4 || i + length > text.size()) {
        return {0xfffd, 1};
    }
    char32_t cp = lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) {
            return {0xfffd, 1};
        }
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return {0xfffd, 1};  // overlong, out of range or a surrogate
    }
    return {cp, length};
}

}  // namespace

std::string ascii_json(std::string_view json) {
    std::string out;
    out.reserve(json.size() + json.size() / 8);
    const auto escape = [&out](unsigned unit) { out += fmt::format("\\u{:04x}", unit); };
    for (std::size_t i = 0; i < json.size();) {
        if (static_cast<unsigned char>(json[i]) < 0x80) {
            out += json[i++];
            continue;
        }
        // JSON's own syntax is ASCII: a non-ASCII byte can only be inside a string, where \u is an escape.
        auto [cp, length] = decode_utf8(json, i);
        i += length;
        if (cp > 0xffff) {
            cp -= 0x10000;
            escape(0xd800 + (cp >> 10));
            escape(0xdc00 + (cp & 0x3ff));
        } else {
            escape(cp);
        }
    }
    return out;
}

std::vector<std::string> dedupe_keys(const envelope& env) {
    std::vector<std::string> keys{"envelope:" + env.envelope_id};
    // §1.5: retries of one event may arrive under a new envelope_id; event_id is the stable key.
    if (env.type == "events_api") {
        if (auto id = string_at(env.payload, "event_id"); !id.empty()) {
            keys.push_back("event:" + id);
        }
    }
    // §8: a click is identified by (container.message_ts, action_id, user.id, action_ts).
    if (env.type == "interactive" && string_at(env.payload, "type") == "block_actions") {
        const auto* container = env.payload.if_contains("container");
        const auto* user = env.payload.if_contains("user");
        const auto* actions = env.payload.if_contains("actions");
        if (container != nullptr && container->is_object() && user != nullptr && user->is_object() &&
            actions != nullptr && actions->is_array() && !actions->get_array().empty() &&
            actions->get_array()[0].is_object()) {
            const auto& action = actions->get_array()[0].get_object();
            auto action_ts = string_at(action, "action_ts");
            if (!action_ts.empty()) {
                keys.push_back("click:" + string_at(container->get_object(), "message_ts") + "/" +
                               string_at(action, "action_id") + "/" + string_at(user->get_object(), "id") + "/" +
                               action_ts);
            }
        }
    }
    return keys;
}

}  // namespace opsbot::bot
